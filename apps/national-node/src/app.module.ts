import { MetricsModule, ReferenceController, validateEnvironment } from '@caravanserai/platform';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { AgreementsModule } from './agreements/agreements.module';
import { AuthModule } from './auth/auth.module';
import { NodeConfig } from './config/node.config';
import { ConfigHolder } from './config/config.module';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { MovementsModule } from './movements/movements.module';
import { ReferralsModule } from './referrals/referrals.module';
import { RepublicationController } from './republication/republication.controller';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateEnvironment(NodeConfig) }),
    CqrsModule.forRoot(),
    ConfigHolder,
    MetricsModule,
    InfrastructureModule,
    AuthModule,
    MovementsModule,
    AgreementsModule,
    ReferralsModule,
  ],
  controllers: [HealthController, MetricsController, ReferenceController, RepublicationController],
})
export class AppModule {}

import { ReferenceController, validateEnvironment } from '@caravanserai/platform';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { NodeConfig } from './config/node.config';
import { ConfigHolder } from './config/config.module';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { MovementsModule } from './movements/movements.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateEnvironment(NodeConfig) }),
    CqrsModule.forRoot(),
    ConfigHolder,
    InfrastructureModule,
    MovementsModule,
  ],
  controllers: [HealthController, MetricsController, ReferenceController],
})
export class AppModule {}

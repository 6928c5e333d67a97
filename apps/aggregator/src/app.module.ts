import { MetricsModule, ReferenceController, validateEnvironment } from '@caravanserai/platform';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { AgreementsModule } from './agreements/agreements.module';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AggregatorConfig } from './config/aggregator.config';
import { ConfigHolder } from './config/config.module';
import { ContingencyModule } from './contingency/contingency.module';
import { FeedDeliveryModule } from './feeds/delivery/delivery.module';
import { EmergenciesModule } from './emergencies/emergencies.module';
import { FeedsModule } from './feeds/feeds.module';
import { SecretariatModule } from './secretariat/secretariat.module';
import { FlowsModule } from './flows/flows.module';
import { ForecastModule } from './forecast/forecast.module';
import { FormatsModule } from './answers/formats/formats.module';
import { HealthController } from './health/health.controller';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { IngestModule } from './ingest/ingest.module';
import { MetricsController } from './nodes/metrics.controller';
import { NodesController } from './nodes/nodes.controller';
import { ReferralsModule } from './referrals/referrals.module';
import { QuarantineModule } from './quarantine/quarantine.module';
import { ReleasesModule } from './releases/releases.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateEnvironment(AggregatorConfig) }),
    CqrsModule.forRoot(),
    ConfigHolder,
    MetricsModule,
    InfrastructureModule,
    IngestModule,
    AuthModule,
    AgreementsModule,
    AuditModule,
    FlowsModule,
    ReferralsModule,
    QuarantineModule,
    AlertsModule,
    ReleasesModule,
    FeedsModule,
    SecretariatModule,
    ContingencyModule,
    ForecastModule,
    EmergenciesModule,
    FormatsModule,
    FeedDeliveryModule,
  ],
  controllers: [HealthController, NodesController, MetricsController, ReferenceController],
})
export class AppModule {}

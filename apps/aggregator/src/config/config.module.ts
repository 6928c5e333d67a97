import { configProvider } from '@caravanserai/platform';
import { Global, Module } from '@nestjs/common';
import { AGGREGATOR_CONFIG, AggregatorConfig } from './aggregator.config';

@Global()
@Module({ providers: [configProvider(AGGREGATOR_CONFIG, AggregatorConfig)], exports: [AGGREGATOR_CONFIG] })
export class ConfigHolder {}

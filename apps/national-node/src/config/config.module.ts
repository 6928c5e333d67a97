import { configProvider } from '@caravanserai/platform';
import { Global, Module } from '@nestjs/common';
import { NODE_CONFIG, NodeConfig } from './node.config';

@Global()
@Module({ providers: [configProvider(NODE_CONFIG, NodeConfig)], exports: [NODE_CONFIG] })
export class ConfigHolder {}

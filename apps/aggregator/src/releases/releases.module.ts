import { Module } from '@nestjs/common';
import { ReleasesController } from './api/releases.controller';
import { ReleaseClock } from './application/release-clock';

@Module({ controllers: [ReleasesController], providers: [ReleaseClock] })
export class ReleasesModule {}

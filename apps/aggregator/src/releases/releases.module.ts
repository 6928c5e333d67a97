import { Global, Module } from '@nestjs/common';
import { ReleasesController } from './api/releases.controller';
import { ReleaseClock } from './application/release-clock';
import { PgReleases } from './infrastructure/pg-releases';

/** Releases: cut on schedule or on demand; every answer reads the latest (PgReleases). */
@Global()
@Module({ controllers: [ReleasesController], providers: [ReleaseClock, PgReleases], exports: [PgReleases] })
export class ReleasesModule {}

import { Global, Module } from '@nestjs/common';
import { Releases } from '../kernel/ports/releases';
import { ReleasesController } from './api/releases.controller';
import { ReleaseClock } from './application/release-clock';
import { PgReleases } from './infrastructure/pg-releases';

/** Releases: cut on schedule or on demand; every answer reads the latest (PgReleases). */
@Global()
@Module({
  controllers: [ReleasesController],
  providers: [ReleaseClock, PgReleases, { provide: Releases, useExisting: PgReleases }],
  exports: [PgReleases, Releases],
})
export class ReleasesModule {}

import { Global, Module } from '@nestjs/common';
import { Releases } from '../kernel/ports/releases';
import { ReleasesController } from './api/releases.controller';
import { ReleaseClock } from './application/release-clock';
import { PgReleases } from './infrastructure/pg-releases';

/** Releases: cut on schedule or on demand; the other contexts read the latest through the kernel's
 * Releases port (PgReleases), global so they need not import this module. */
@Global()
@Module({
  controllers: [ReleasesController],
  providers: [ReleaseClock, PgReleases, { provide: Releases, useExisting: PgReleases }],
  exports: [Releases],
})
export class ReleasesModule {}

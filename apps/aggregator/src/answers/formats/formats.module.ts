import { Module } from '@nestjs/common';
import { CodelistsController } from './api/codelists.controller';

/** The exchange formats' own routes: the SDMX code lists. The representations themselves are
 * written by answers/formats/api/represent.ts, called by the flows and referral summary controllers. */
@Module({ controllers: [CodelistsController] })
export class FormatsModule {}

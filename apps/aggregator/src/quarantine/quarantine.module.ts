import { Module } from '@nestjs/common';
import { QuarantineController } from './api/quarantine.controller';

@Module({ controllers: [QuarantineController] })
export class QuarantineModule {}

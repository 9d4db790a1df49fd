import { Module } from '@nestjs/common';
import { OutcomesRepository } from './outcomes.repository';
import { OutcomesService } from './outcomes.service';

/** The scorer's outcomes: claim.resolved and claim.outcomes.due fill the predictions' outcomes. */
@Module({
  providers: [OutcomesRepository, OutcomesService],
  exports: [OutcomesService],
})
export class OutcomesModule {}

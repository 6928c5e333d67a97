import { Query } from '@nestjs/cqrs';
import type { ScenarioView } from '../../answers/scenario-view';

/** Every scenario ever recorded (status `active` or `withdrawn`), with its versions, by target. */
export class QueryScenarios extends Query<ScenarioView[]> {
  constructor(readonly status: 'active' | 'all' = 'all') {
    super();
  }
}

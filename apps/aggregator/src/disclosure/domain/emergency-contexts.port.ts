import type { EmergencyContext } from './emergency';

/**
 * What an answer asked under an emergency needs (`?emergency=`): the emergency as declared and
 * the activations of states' emergency terms, at `now`; null when no such emergency was declared.
 * The disclosure context states the need; the emergencies context, which records them, provides
 * it (EmergenciesModule), so the contexts that answer (flows) never import the one that declares.
 */
export abstract class EmergencyContexts {
  abstract context(emergencyId: string, now: Date): Promise<EmergencyContext | null>;
}

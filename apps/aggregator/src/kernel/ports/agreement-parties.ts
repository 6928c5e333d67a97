/** The two parties of an agreement, as the registry holds them. */
export interface AgreementParties {
  provider: string;
  recipient: string;
}

/** Who is party to each agreement (its provider and recipient), for a caller's own view of the
 * trail. The audit context needs it; the agreements context, which keeps the registry, provides
 * it (AgreementsModule), so neither imports the other. */
export abstract class AgreementPartiesSource {
  abstract parties(): Promise<Map<string, AgreementParties>>;
}

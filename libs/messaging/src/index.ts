export * from './kafka-client';
export * from './broker-probe';
export * from './kafka-security';
export * from './oauth-token';

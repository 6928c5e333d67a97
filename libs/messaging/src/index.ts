export * from './kafka-client';
export * from './broker-probe';
export * from './kafka-security';

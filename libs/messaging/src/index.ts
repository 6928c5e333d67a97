export * from './kafka-client';
export * from './broker-probe';

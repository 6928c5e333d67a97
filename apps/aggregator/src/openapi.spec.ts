import { describeOpenApiDocument } from '@caravanserai/testing';
import { AGGREGATOR_OPENAPI_FILE, aggregatorOpenApi } from './openapi';

describeOpenApiDocument('aggregator', AGGREGATOR_OPENAPI_FILE, aggregatorOpenApi);

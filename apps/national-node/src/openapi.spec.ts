import { describeOpenApiDocument } from '@caravanserai/testing';
import { NODE_OPENAPI_FILE, nodeOpenApi } from './openapi';

describeOpenApiDocument('national node', NODE_OPENAPI_FILE, nodeOpenApi);

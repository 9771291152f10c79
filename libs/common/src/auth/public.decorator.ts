import { SetMetadata } from '@nestjs/common';

// Lives in common (not operators) so libs below operators, such as observability,
// can mark routes public without importing the operators module graph.
export const IS_PUBLIC_KEY = 'auth:public';

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

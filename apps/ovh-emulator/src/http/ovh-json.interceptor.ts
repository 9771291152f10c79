import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';

// OVH answers void operations with a JSON `null`; Nest would send an empty body for null.
@Injectable()
export class OvhJsonInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((value: unknown) => {
        if (res.headersSent) return value;
        res.type('application/json');
        return JSON.stringify(value ?? null);
      }),
    );
  }
}

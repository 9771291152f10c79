import { ControlStateService } from './control-state.service';

describe(ControlStateService.name, () => {
  it('matches faults by method and glob and consumes limited ones', () => {
    const sut = new ControlStateService();
    sut.addFault({ method: 'GET', pathPattern: '*/me', status: 503, times: 2 });
    expect(sut.takeFault('POST', '/1.0/me')).toBeUndefined();
    expect(sut.takeFault('GET', '/1.0/me/api')).toBeUndefined();
    expect(sut.takeFault('GET', '/1.0/me')?.status).toBe(503);
    expect(sut.takeFault('GET', '/v2/me')?.status).toBe(503);
    expect(sut.takeFault('GET', '/1.0/me')).toBeUndefined();
  });

  it('keeps unlimited faults until cleared', () => {
    const sut = new ControlStateService();
    sut.addFault({ pathPattern: '/*', latencyMs: 5 });
    for (let i = 0; i < 5; i++) expect(sut.takeFault('DELETE', '/x')).toBeDefined();
    sut.clearFaults();
    expect(sut.takeFault('DELETE', '/x')).toBeUndefined();
  });

  it('bounds the request log', () => {
    const sut = new ControlStateService();
    for (let i = 0; i < 1005; i++) {
      sut.record({
        time: '',
        method: 'GET',
        target: `/${i}`,
        headers: {},
        body: '',
        status: 200,
        durationMs: 0,
        queryId: '',
      });
    }
    expect(sut.requests()).toHaveLength(1000);
    expect(sut.requests()[0].target).toBe('/5');
  });
});

import { describeCycle, edgesFromMetadata, findDependencyCycle } from '../../src/domain/dependency-cycle';

describe('findDependencyCycle', () => {
  const me = 'acme/widgets#1';

  it('finds an issue that blocks itself', () => {
    const cycle = findDependencyCycle(me, edgesFromMetadata(me, { blockedBy: [me], blocks: [] }));
    expect(cycle).toEqual([me, me]);
  });

  it('finds A blocks B blocks A from one issue’s blockedBy and blocks', () => {
    const edges = edgesFromMetadata(me, { blockedBy: ['acme/widgets#2'], blocks: ['acme/widgets#2'] });
    expect(describeCycle(findDependencyCycle(me, edges)!)).toBe(
      'dependency cycle: acme/widgets#1 → acme/widgets#2 → acme/widgets#1',
    );
  });

  it('finds longer cycles through other issues’ edges', () => {
    const edges = [...edgesFromMetadata(me, { blockedBy: ['x/y#3'], blocks: ['x/y#2'] }), ['x/y#2', 'x/y#3'] as const];
    expect(findDependencyCycle(me, edges)).toEqual([me, 'x/y#2', 'x/y#3', me]);
  });

  it('finds nothing in a chain, a diamond, or a cycle that does not pass through the issue', () => {
    const chain = edgesFromMetadata(me, { blockedBy: ['x/y#2', 'x/y#3'], blocks: ['x/y#4'] });
    expect(findDependencyCycle(me, chain)).toBeUndefined();
    const diamond = [...chain, ['x/y#4', 'x/y#5'] as const, ['x/y#2', 'x/y#5'] as const];
    expect(findDependencyCycle(me, diamond)).toBeUndefined();
    const elsewhere = [...chain, ['x/y#4', 'x/y#6'] as const, ['x/y#6', 'x/y#4'] as const];
    expect(findDependencyCycle(me, elsewhere)).toBeUndefined();
  });
});

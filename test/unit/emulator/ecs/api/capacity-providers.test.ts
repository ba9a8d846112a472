import t from 'tap';
import { distribute } from '../../../../../src/emulator/ecs/api/capacity-providers.js';

const s = (capacityProvider: string, weight: number, base = 0) => ({ capacityProvider, weight, base });

t.test('a strategy splits tasks as ECS does: bases first, then by weight', async (t) => {
  t.same(distribute([s('FARGATE', 1, 1), s('FARGATE_SPOT', 3)], 9), { FARGATE: 3, FARGATE_SPOT: 6 }, 'base 1 + 8 split 1:3');
  t.same(distribute([s('FARGATE', 1), s('FARGATE_SPOT', 1)], 5), { FARGATE: 3, FARGATE_SPOT: 2 }, 'ties go to the first in the strategy');
  t.same(distribute([s('FARGATE', 0, 2), s('FARGATE_SPOT', 1)], 5), { FARGATE: 2, FARGATE_SPOT: 3 }, 'a weight-0 provider gets its base only');
  t.same(distribute([s('FARGATE', 1, 4), s('FARGATE_SPOT', 1)], 2), { FARGATE: 2, FARGATE_SPOT: 0 }, 'the base is filled before anything else');
  t.same(distribute([s('FARGATE', 1, 1), s('FARGATE_SPOT', 3)], 1, { FARGATE: 3, FARGATE_SPOT: 5 }), { FARGATE: 0, FARGATE_SPOT: 1 }, 'a replacement keeps the running split on its weights');
  t.same(distribute([s('A', 2), s('B', 1)], 0), { A: 0, B: 0 });
});

t.test('with no weight at all only the bases are placed', async (t) => {
  t.same(distribute([s('FARGATE', 0, 2)], 5), { FARGATE: 2 });
});

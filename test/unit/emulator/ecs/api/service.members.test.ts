import t from 'tap';
import '../../../../../src/emulator/ecs/api/handlers/index.js';
import { ECS_INPUT_SPECS } from '../../../../../src/emulator/ecs/api/service.js';
import { ECS_MODEL } from '../../../../../src/emulator/ecs/model.generated.js';

// No member of the ECS model is silently dropped: each one an operation serves is checked and honoured (its input
// spec) or refused by name (notEmulated).
t.test('every request member of every served ECS operation is honoured or refused by name', async (t) => {
  for (const [op, { input, notEmulated }] of ECS_INPUT_SPECS) {
    const shapeName = ECS_MODEL.operations[op]!;
    const members = Object.keys(ECS_MODEL.shapes[shapeName]?.members ?? {});
    const unaccounted = members.filter((m) => !(m in input) && !notEmulated.includes(m));
    t.same(unaccounted, [], op);
    const overlap = notEmulated.filter((m) => m in input);
    t.same(overlap, [], `${op}: a member is either honoured or refused`);
  }
});

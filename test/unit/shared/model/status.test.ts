import t from 'tap';
import {
  laterContainerStatus,
  taskBackendStatus,
  containerBackendStatus,
  taskStatusFromContainers,
  parseDesiredTaskStatus,
} from '../../../../src/shared/model/status.js';

t.test('a container status never moves backwards', async (t) => {
  t.equal(laterContainerStatus('RUNNING', 'CREATED'), 'RUNNING');
  t.equal(laterContainerStatus('CREATED', 'RUNNING'), 'RUNNING');
  t.equal(laterContainerStatus('STOPPED', 'RUNNING'), 'STOPPED');
});

t.test('task statuses map to the backend as PENDING / RUNNING / STOPPED', async (t) => {
  t.equal(taskBackendStatus('NONE'), 'PENDING');
  t.equal(taskBackendStatus('CREATED'), 'PENDING');
  t.equal(taskBackendStatus('RUNNING'), 'RUNNING');
  t.equal(taskBackendStatus('STOPPED'), 'STOPPED');
  t.equal(containerBackendStatus('CREATED'), undefined);
  t.equal(containerBackendStatus('RUNNING'), 'RUNNING');
});

t.test('the task known status is the minimum over its containers', async (t) => {
  t.equal(taskStatusFromContainers(['RUNNING', 'CREATED']), 'CREATED');
  t.equal(taskStatusFromContainers(['RUNNING', 'RUNNING']), 'RUNNING');
  t.equal(taskStatusFromContainers(['STOPPED', 'RUNNING']), 'RUNNING');
  t.equal(taskStatusFromContainers(['STOPPED', 'STOPPED']), 'STOPPED');
  t.equal(taskStatusFromContainers(['PULLED']), 'NONE');
});

t.test('desired status parsing follows the official agent', async (t) => {
  t.equal(parseDesiredTaskStatus('DEAD'), 'STOPPED');
  t.equal(parseDesiredTaskStatus('UNKNOWN'), 'NONE');
  t.equal(parseDesiredTaskStatus('RUNNING'), 'RUNNING');
});

import type { StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';

/** A job module that fails while building its pipeline. */
export default (_env: StreamExecutionEnvironment) => {
  throw new Error('no pipeline today');
};

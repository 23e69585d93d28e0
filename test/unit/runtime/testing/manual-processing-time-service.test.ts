import { describe, expect, it } from '@jest/globals';
import { ManualProcessingTimeService } from '../../../../runtime/testing/index.ts';

describe('ManualProcessingTimeService', () => {
  it('runs what is due when time is set, in time order and for equal times in scheduling order, including what callbacks schedule', () => {
    const time = new ManualProcessingTimeService(100);
    const ran: string[] = [];
    time.schedule(300, () => ran.push('b@300'));
    time.schedule(200, () => {
      ran.push(`a@200 now=${time.now()}`);
      time.schedule(250, () => ran.push('c@250 (scheduled by a)'));
      time.schedule(900, () => ran.push('d@900'));
    });
    time.schedule(300, () => ran.push('e@300'));
    time.setCurrentTime(199);
    expect(ran).toEqual([]);
    time.setCurrentTime(300);
    expect(ran).toEqual(['a@200 now=300', 'c@250 (scheduled by a)', 'b@300', 'e@300']);
    expect(time.pendingCount).toBe(1);
    expect(() => time.setCurrentTime(299)).toThrow('processing time cannot go back from 300 to 299');
  });
});

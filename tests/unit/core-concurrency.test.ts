import * as assert from 'assert';
import { Semaphore, mapWithConcurrency, sleep } from '../../tasks/common/concurrency';
import { withPaging } from '../../tasks/common/dataverse';
import { parseRetryAfter } from '../../tasks/common/http-client';

describe('concurrency helpers', () => {
  it('never lets more than the limit run at once and keeps result order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([30, 5, 20, 1, 10, 2], 2, async (ms, index) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(ms);
      running--;
      return index;
    });
    assert.strictEqual(peak, 2);
    assert.deepStrictEqual(results, [0, 1, 2, 3, 4, 5]);
  });

  it('rejects a semaphore limit below one', () => {
    assert.throws(() => new Semaphore(0), RangeError);
  });
});

describe('request details', () => {
  it('reads Retry-After in seconds or as an HTTP date', () => {
    assert.strictEqual(parseRetryAfter('2'), 2000);
    assert.strictEqual(parseRetryAfter('0.5'), 500);
    const date = parseRetryAfter(new Date(Date.now() + 3000).toUTCString());
    assert.ok(date !== undefined && date > 1000 && date <= 3000);
    assert.strictEqual(parseRetryAfter(undefined), undefined);
  });

  it('sets FetchXML paging attributes, replacing earlier ones', () => {
    const xml = withPaging('<fetch distinct="true" page="9"><entity name="workflow"/></fetch>', 2, 500, '<cookie page="1"/>');
    assert.strictEqual(xml, '<fetch distinct="true" page="2" count="500" paging-cookie="&lt;cookie page=&quot;1&quot;/&gt;"><entity name="workflow"/></fetch>');
  });
});

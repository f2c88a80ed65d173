import { InvalidArgumentError } from 'commander';
import { wholeNumber } from '../../client/options';

describe('whole-number options', () => {
  it('accept whole numbers inside the range, the bounds included', () => {
    const pageSize = wholeNumber(1, 1000);
    expect([pageSize('1'), pageSize('1000'), pageSize('250')]).toEqual([1, 1000, 250]);
  });

  it('refuse fractions, words and numbers outside the range, saying the range and why', () => {
    const pageSize = wholeNumber(1, 1000, 'the ListObjectsV2 maximum');
    for (const bad of ['0', '1001', '2.5', 'ten', '']) {
      expect(() => pageSize(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => pageSize('0')).toThrow('must be a whole number from 1 to 1000 (the ListObjectsV2 maximum).');
    expect(() => wholeNumber(1)('0')).toThrow('must be a whole number of at least 1.');
  });
});

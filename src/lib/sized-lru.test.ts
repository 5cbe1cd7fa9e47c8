import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SizedLru } from './sized-lru.js'

/** lru holds strings sized by their length, recording what it evicts. */
function lru(maxSize: number) {
  const evicted: string[] = []
  const cache = new SizedLru<string, string>({
    maxSize,
    sizeOf: (v) => v.length,
    onEvict: (k) => evicted.push(k),
  })
  return { cache, evicted }
}

describe('SizedLru', () => {
  it('evicts the least recently used until the sizes fit', () => {
    const { cache, evicted } = lru(10)
    cache.set('a', 'xxxx')
    cache.set('b', 'xxxx')
    assert.equal(cache.get('a'), 'xxxx')
    cache.set('c', 'xxxx')
    assert.deepEqual(evicted, ['b'])
    assert.equal(cache.size, 8)
    assert.equal(cache.peek('b'), undefined)
  })

  it('peek does not make an entry recent', () => {
    const { cache, evicted } = lru(8)
    cache.set('a', 'xxxx')
    cache.set('b', 'xxxx')
    cache.peek('a')
    cache.set('c', 'xxxx')
    assert.deepEqual(evicted, ['a'])
  })

  it('refuses a value larger than the whole, keeping what it holds', () => {
    const { cache, evicted } = lru(4)
    cache.set('a', 'xx')
    assert.equal(cache.set('big', 'xxxxx'), false)
    assert.equal(cache.peek('a'), 'xx')
    assert.deepEqual(evicted, [])
  })

  it('replacing a key counts its new size only, and delete is not an eviction', () => {
    const { cache, evicted } = lru(10)
    cache.set('a', 'xxxx')
    cache.set('a', 'xx')
    assert.equal(cache.size, 2)
    assert.equal(cache.delete('a'), true)
    assert.equal(cache.size, 0)
    assert.equal(cache.delete('a'), false, 'a key not held is not deleted')
    assert.deepEqual(evicted, [])
  })
})

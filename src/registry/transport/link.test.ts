import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nextPageURL } from './link.js'

describe('nextPageURL', () => {
  const base = new URL('https://r.example:5000/v2/a/tags/list')
  const cases: { name: string; link: string | undefined; want: string | undefined }[] = [
    { name: 'no header', link: undefined, want: undefined },
    {
      name: 'relative, distribution style',
      link: '</v2/a/tags/list?last=t1&n=2>; rel="next"',
      want: 'https://r.example:5000/v2/a/tags/list?last=t1&n=2',
    },
    {
      name: 'absolute',
      link: '<https://r.example:5000/v2/a/tags/list?last=x>; rel="next"',
      want: 'https://r.example:5000/v2/a/tags/list?last=x',
    },
    {
      name: 'unquoted rel',
      link: '</v2/a/tags/list?last=y>; rel=next',
      want: 'https://r.example:5000/v2/a/tags/list?last=y',
    },
    {
      name: 'several links, next second',
      link: '</v2/a/tags/list?first>; rel="first", </v2/a/tags/list?next_page=opaque%3D>; rel="next"',
      want: 'https://r.example:5000/v2/a/tags/list?next_page=opaque%3D',
    },
    { name: 'only a prev link', link: '</v2/a/tags/list?p>; rel="prev"', want: undefined },
    {
      name: 'another host is returned for the caller to refuse',
      link: '<https://evil.example/v2/a/tags/list>; rel="next"',
      want: 'https://evil.example/v2/a/tags/list',
    },
  ]
  for (const c of cases) {
    it(c.name, () => assert.equal(nextPageURL(c.link, base)?.href, c.want))
  }
})

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileVirtualHostMatcher, stripPort } from '../src/router/virtual-host-matcher.js';

const matcher = compileVirtualHostMatcher([
  { domains: ['www.example.com'], value: 'exact' },
  { domains: ['*.example.com'], value: 'suffix' },
  { domains: ['*.api.example.com'], value: 'longer-suffix' },
  { domains: ['*-canary.example.com'], value: 'dash-suffix' },
  { domains: ['www.*'], value: 'prefix' },
  { domains: ['www.example.*'], value: 'longer-prefix' },
  { domains: ['example.com:8443'], value: 'with-port' },
  { domains: ['*'], value: 'any' },
]);

test('an exact domain wins over every wildcard', () => {
  assert.equal(matcher.find('www.example.com'), 'exact');
});

test('a suffix wildcard wins over a prefix wildcard', () => {
  assert.equal(matcher.find('shop.example.com'), 'suffix');
});

test('the longest suffix wildcard wins', () => {
  assert.equal(matcher.find('v1.api.example.com'), 'longer-suffix');
  assert.equal(matcher.find('eu-canary.example.com'), 'dash-suffix');
});

test('the longest prefix wildcard wins when no suffix wildcard matches', () => {
  assert.equal(matcher.find('www.example.org'), 'longer-prefix');
  assert.equal(matcher.find('www.other.org'), 'prefix');
});

test('"*" catches what nothing else matches', () => {
  assert.equal(matcher.find('other.org'), 'any');
});

test('a wildcard never matches an empty part', () => {
  // "*.example.com" needs something before ".example.com"; "www.*" something after "www.".
  assert.equal(matcher.find('.example.com'), 'any');
  assert.equal(matcher.find('example.com'), 'any');
  assert.equal(matcher.find('www.'), 'any');
});

test('the authority is compared case-insensitively', () => {
  assert.equal(matcher.find('WWW.Example.COM'), 'exact');
  assert.equal(matcher.find('Shop.EXAMPLE.com'), 'suffix');
});

test('a port in the authority is stripped, after trying the full host:port', () => {
  assert.equal(matcher.find('www.example.com:8080'), 'exact');
  assert.equal(matcher.find('shop.example.com:80'), 'suffix');
  assert.equal(matcher.find('example.com:8443'), 'with-port', 'a domain may name a port');
  assert.equal(matcher.find('example.com:9000'), 'any');
});

test('without port-naming domains, an authority with a port matches like the bare host', () => {
  const m = compileVirtualHostMatcher([
    { domains: ['a.example.com'], value: 'exact' },
    { domains: ['*.example.com'], value: 'suffix' },
    { domains: ['www.*'], value: 'prefix' },
  ]);
  assert.equal(m.find('A.example.com:80'), 'exact');
  assert.equal(m.find('b.example.com:80'), 'suffix');
  assert.equal(m.find('www.x.org:8080'), 'prefix');
  assert.equal(m.find('[::1]:80'), undefined);
});

test('a missing or empty authority only matches "*"', () => {
  assert.equal(matcher.find(undefined), 'any');
  assert.equal(matcher.find(''), 'any');
  const noDefault = compileVirtualHostMatcher([{ domains: ['a.com'], value: 1 }]);
  assert.equal(noDefault.find(undefined), undefined);
  assert.equal(noDefault.find('b.com'), undefined);
});

test('the first virtual host to name a domain keeps it', () => {
  const m = compileVirtualHostMatcher([
    { domains: ['a.com', '*'], value: 'first' },
    { domains: ['A.com', '*'], value: 'second' },
  ]);
  assert.equal(m.find('a.com'), 'first');
  assert.equal(m.find('z.com'), 'first');
});

test('stripPort handles names, IPv4, bracketed IPv6 and bare IPv6', () => {
  assert.equal(stripPort('example.com:8080'), 'example.com');
  assert.equal(stripPort('example.com:'), 'example.com');
  assert.equal(stripPort('example.com'), 'example.com');
  assert.equal(stripPort('10.0.0.1:80'), '10.0.0.1');
  assert.equal(stripPort('[::1]:8080'), '[::1]');
  assert.equal(stripPort('[::1]'), '[::1]');
  assert.equal(stripPort('::1'), '::1');
  assert.equal(stripPort('example.com:http'), 'example.com:http');
});

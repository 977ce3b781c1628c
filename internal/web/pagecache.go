package web

import "sync"

// pageCache keeps rendered pages that many visitors see identically (the
// public verification page of a certificate, for anonymous visitors). A
// key must name everything the page shows: the caller puts the
// certificate's current status in it, so a revocation is a new key and
// shows at once. The cache is bounded: when full, it starts afresh.
type pageCache struct {
	mu    sync.RWMutex
	pages map[string][]byte
	limit int
}

func newPageCache(limit int) *pageCache {
	return &pageCache{pages: map[string][]byte{}, limit: limit}
}

func (p *pageCache) get(key string) ([]byte, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	b, ok := p.pages[key]
	return b, ok
}

func (p *pageCache) put(key string, page []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pages) >= p.limit {
		p.pages = map[string][]byte{}
	}
	p.pages[key] = page
}

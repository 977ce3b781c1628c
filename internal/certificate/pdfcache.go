package certificate

import (
	"container/list"
	"sync"
)

// pdfCache keeps recently downloaded certificate PDFs in memory, up to a
// number of bytes, least recently used out first. A certificate's PDF never
// changes once stored, so a cached copy is never stale.
type pdfCache struct {
	mu    sync.Mutex
	limit int
	size  int
	order *list.List // of *pdfEntry, most recent at the front
	byID  map[string]*list.Element
}

type pdfEntry struct {
	id  string
	pdf []byte
}

func newPDFCache(limit int) *pdfCache {
	return &pdfCache{limit: limit, order: list.New(), byID: map[string]*list.Element{}}
}

func (c *pdfCache) get(id string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*pdfEntry).pdf, true
}

func (c *pdfCache) put(id string, pdf []byte) {
	if len(pdf) > c.limit/4 {
		return // one document must not empty the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[id]; ok {
		return
	}
	c.byID[id] = c.order.PushFront(&pdfEntry{id: id, pdf: pdf})
	c.size += len(pdf)
	for c.size > c.limit {
		last := c.order.Back()
		e := last.Value.(*pdfEntry)
		c.order.Remove(last)
		delete(c.byID, e.id)
		c.size -= len(e.pdf)
	}
}

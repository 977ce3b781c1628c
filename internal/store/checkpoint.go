package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Checkpoints off the commit path (SQLite only).
//
// In WAL mode SQLite copies the log back into the database file — a
// checkpoint — by default inside the commit that takes the log past 1,000
// pages: that commit, and every answer of the group commit waiting behind
// it, waits for writes all over the file and their fsync. With a small
// database the log's pages are a few pages written many times; with
// 100,000 attempts nearly every page in it is a different one, and that
// commit took several milliseconds: the slowest answers at 1,000 saves a
// second were those waiting behind it.
//
// So the writer never checkpoints (wal_autocheckpoint = 0, set when its
// connection opens), and a goroutine with a connection of its own runs a
// PASSIVE checkpoint every checkpointEvery: it copies what it can without
// waiting for readers or for the writer, which goes on appending to the
// log meanwhile, and the writer starts the log over once it is all copied.
// A commit is durable in the log either way (synchronous=FULL); a crash in
// the middle of a checkpoint is recovered from the log at the next open.

// writerDriver is the SQLite driver of the writer connection: the standard
// one, plus the pragma no DSN parameter sets.
const writerDriver = "sqlite3_mxcert_writer"

func init() {
	sql.Register(writerDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil)
			return err
		},
	})
}

// checkpointEvery is how often the log is copied back: often enough that
// it stays a few megabytes under a full exam load.
const checkpointEvery = 250 * time.Millisecond

// checkpointer copies the log back into the database file in the
// background until db closes.
type checkpointer struct {
	conn   *sql.DB
	done   chan struct{}
	copied atomic.Int64 // log pages copied back so far (tests read it)
}

func (db *DB) startCheckpointer() error {
	conn, err := sql.Open("sqlite3", DSN(db.path, true))
	if err != nil {
		return fmt.Errorf("open %s for checkpoints: %w", db.path, err)
	}
	conn.SetMaxOpenConns(1)
	db.ckpt = &checkpointer{conn: conn, done: make(chan struct{})}
	go db.ckpt.run(db.closed)
	return nil
}

func (c *checkpointer) run(closed <-chan struct{}) {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-closed:
			return
		case <-tick.C:
		}
		var busy, logged, copied int64
		// An error (the database busy being closed, a full disk) is left
		// to the next tick; the writer's commits do not depend on it.
		if err := c.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied); err == nil && copied > 0 {
			c.copied.Store(copied)
		}
	}
}

// stop waits for the goroutine (db.closed is closed first) and closes its
// connection.
func (c *checkpointer) stop() error {
	<-c.done
	return c.conn.Close()
}

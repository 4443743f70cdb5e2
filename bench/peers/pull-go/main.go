// The pull load of bench/run on grpc-go: one client pulls a tenant's feed from scratch, page after
// page, over mutual TLS, and reads each page's framing only (next_cursor, more and how many records,
// from the raw bytes), as h2load reads nghttpd's bytes without parsing them; so the figure is the
// server's rate of serving the feed, not a client's rate of decoding it. gongjian-bench's pull
// decodes every record on grpc-swift's client, whose CPU per record is about the server's and
// shares the machine's two cores with it. Requests and responses travel as raw bytes (a codec that
// passes bytes through), so no generated code is needed. Prints one JSON line: records, bytes,
// seconds, records_per_s, mb_per_s, pages, client_cpu_s.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/encoding/protowire"
)

// rawCodec sends and receives messages as the bytes they are.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error)      { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error { *(v.(*[]byte)) = data; return nil }
func (rawCodec) Name() string                               { return "raw" }

func cpuSeconds() float64 {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}

// request encodes a PullRequest: tenant_id = 1, cursor = 2, page_size = 3.
func request(tenant string, cursor uint64, pageSize uint64) []byte {
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendString(b, tenant)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, cursor)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	return protowire.AppendVarint(b, pageSize)
}

// page reads a PullResponse's framing: records = 1 (counted), next_cursor = 2, more = 3, reset = 5.
func page(b []byte) (records int, next uint64, more bool) {
	for len(b) > 0 {
		number, kind, n := protowire.ConsumeTag(b)
		if n < 0 {
			log.Fatalf("page: %v", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case number == 1 && kind == protowire.BytesType:
			records++
		case number == 2 && kind == protowire.VarintType:
			next, _ = protowire.ConsumeVarint(b)
		case number == 3 && kind == protowire.VarintType:
			value, _ := protowire.ConsumeVarint(b)
			more = value != 0
		case number == 5:
			log.Fatalf("the server asked for a reset")
		}
		n = protowire.ConsumeFieldValue(number, kind, b)
		if n < 0 {
			log.Fatalf("page: %v", protowire.ParseError(n))
		}
		b = b[n:]
	}
	return records, next, more
}

func main() {
	server := flag.String("server", "", "HOST:PORT")
	folder := flag.String("credentials", "", "a folder with ca.pem, cert.pem, key.pem")
	tenant := flag.String("tenant", "", "the tenant pulled")
	pageSize := flag.Uint64("page-size", 5000, "records per page")
	flag.Parse()
	encoding.RegisterCodec(rawCodec{})

	pair, err := tls.LoadX509KeyPair(filepath.Join(*folder, "cert.pem"), filepath.Join(*folder, "key.pem"))
	if err != nil {
		log.Fatalf("credentials: %v", err)
	}
	pem, err := os.ReadFile(filepath.Join(*folder, "ca.pem"))
	if err != nil {
		log.Fatalf("ca: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	config := &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: roots, ServerName: "127.0.0.1"}
	conn, err := grpc.Dial(*server, grpc.WithTransportCredentials(credentials.NewTLS(config)), grpc.WithBlock(),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		log.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	// A first call before the clock starts: the handshake is not part of the load.
	warm := request(*tenant, 0, 1)
	var reply []byte
	if err := conn.Invoke(context.Background(), "/gongjian.v1.Sync/Pull", &warm, &reply); err != nil {
		log.Fatalf("pull: %v", err)
	}

	cpuBefore := cpuSeconds()
	started := time.Now()
	var cursor uint64
	var records, bytes, pages int
	for {
		message := request(*tenant, cursor, *pageSize)
		if err := conn.Invoke(context.Background(), "/gongjian.v1.Sync/Pull", &message, &reply); err != nil {
			log.Fatalf("pull: %v", err)
		}
		count, next, more := page(reply)
		records += count
		bytes += len(reply)
		pages++
		cursor = next
		if !more {
			break
		}
	}
	seconds := time.Since(started).Seconds()
	line, _ := json.Marshal(map[string]interface{}{
		"scenario": "pull", "client": "grpc-go", "records": records, "bytes": bytes, "pages": pages, "seconds": seconds,
		"records_per_s": float64(records) / seconds, "mb_per_s": float64(bytes) / seconds / 1e6,
		"client_cpu_s": cpuSeconds() - cpuBefore,
	})
	fmt.Println(string(line))
}

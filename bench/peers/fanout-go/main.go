// The fan-out load of bench/run on grpc-go: many live subscribers on one tenant while a writer
// commits at a fixed rate, commit-to-delivery latency measured from each record's updated_at (the
// server's commit time) to its arrival. gongjian-bench's fanout runs the same load on
// grpc-swift's client, which spends more CPU per delivery than the server measured and shares the
// machine's two cores with it; this one lets the server's latency show. Built by
// Tests/interop/go-client/build.sh with messages generated from proto/. Prints one JSON line with
// the same fields as gongjian-bench's fanout, plus the client's own CPU seconds.
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	gongjian "gongjian/v1"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Debian's grpc-go 1.33 defaults to github.com/golang/protobuf 1.3's codec, which does not know
// messages generated for google.golang.org/protobuf (as in Tests/interop/go-client).
type codec struct{}

func (codec) Marshal(v interface{}) ([]byte, error)      { return proto.Marshal(v.(proto.Message)) }
func (codec) Unmarshal(data []byte, v interface{}) error { return proto.Unmarshal(data, v.(proto.Message)) }
func (codec) Name() string                               { return "proto" }

func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// park is the mutation gongjian-bench's fanout writes: a park of about `bytes` bytes.
func park(n int, bytes int) *gongjian.Mutation {
	padding := strings.Repeat("园", max(0, (bytes-60)/3))
	payload, err := anypb.New(&gongjian.Park{Name: fmt.Sprintf("基准园区 %d %s", n, padding), HostCounty: "宿城区", SuzhouPartner: "苏州工业园区"})
	if err != nil {
		log.Fatalf("payload: %v", err)
	}
	id := uuid()
	return &gongjian.Mutation{MutationId: uuid(), Kind: "park", RecordId: id, Change: &gongjian.Mutation_Payload{Payload: payload}}
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}

func main() {
	server := flag.String("server", "", "HOST:PORT")
	folder := flag.String("credentials", "", "a folder with ca.pem, cert.pem, key.pem")
	tenant := flag.String("tenant", "city", "the tenant followed and written")
	subscribers := flag.Int("subscribers", 1000, "live subscribers")
	connections := flag.Int("connections", 8, "connections the subscribers share")
	rate := flag.Int("rate", 100, "commits per second")
	seconds := flag.Float64("seconds", 10, "how long the writer writes")
	flag.Parse()
	encoding.RegisterCodec(codec{})

	pair, err := tls.LoadX509KeyPair(filepath.Join(*folder, "cert.pem"), filepath.Join(*folder, "key.pem"))
	if err != nil {
		log.Fatalf("credentials: %v", err)
	}
	caPEM, err := ioutil.ReadFile(filepath.Join(*folder, "ca.pem"))
	if err != nil {
		log.Fatalf("ca: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	config := &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: roots, ServerName: "127.0.0.1"}
	dial := func() *grpc.ClientConn {
		conn, err := grpc.Dial(*server, grpc.WithTransportCredentials(credentials.NewTLS(config)), grpc.WithBlock(),
			grpc.WithTimeout(10*time.Second))
		if err != nil {
			log.Fatalf("dial: %v", err)
		}
		return conn
	}

	writer := dial()
	page := &gongjian.PullResponse{}
	if err := writer.Invoke(context.Background(), "/gongjian.v1.Sync/Pull", &gongjian.PullRequest{TenantId: *tenant, PageSize: 1}, page); err != nil {
		log.Fatalf("pull: %v", err)
	}
	head := page.GetCheckpoint().GetHeadSequence()

	ctx, cancel := context.WithCancel(context.Background())
	var live, delivered int64
	var mutex sync.Mutex
	var latencies []float64 // milliseconds
	var group sync.WaitGroup
	perConnection := (*subscribers + *connections - 1) / *connections
	desc := &grpc.StreamDesc{StreamName: "Subscribe", ServerStreams: true}
	for c := 0; c < *connections; c++ {
		count := perConnection
		if rest := *subscribers - c*perConnection; rest < count {
			count = rest
		}
		if count <= 0 {
			break
		}
		conn := dial()
		defer conn.Close()
		for s := 0; s < count; s++ {
			group.Add(1)
			go func() {
				defer group.Done()
				stream, err := conn.NewStream(ctx, desc, "/gongjian.v1.Sync/Subscribe")
				if err != nil {
					log.Fatalf("subscribe: %v", err)
				}
				if err := stream.SendMsg(&gongjian.SubscribeRequest{TenantId: *tenant, Cursor: head}); err != nil {
					log.Fatalf("subscribe: %v", err)
				}
				stream.CloseSend()
				caughtUp := false
				var mine []float64
				for {
					event := &gongjian.SubscribeResponse{}
					if err := stream.RecvMsg(event); err != nil {
						break // cancelled at the end of the run
					}
					if !caughtUp && event.GetHeartbeat().GetCaughtUp() {
						caughtUp = true
						atomic.AddInt64(&live, 1)
					}
					records := event.GetChanges().GetRecords()
					if len(records) == 0 {
						continue
					}
					now := time.Now()
					for _, record := range records {
						mine = append(mine, float64(now.Sub(record.GetUpdatedAt().AsTime()).Nanoseconds())/1e6)
					}
					atomic.AddInt64(&delivered, int64(len(records)))
				}
				mutex.Lock()
				latencies = append(latencies, mine...)
				mutex.Unlock()
			}()
		}
	}
	waitUntil := time.Now().Add(60 * time.Second)
	for atomic.LoadInt64(&live) < int64(*subscribers) && time.Now().Before(waitUntil) {
		time.Sleep(50 * time.Millisecond)
	}

	// Open loop: each push starts on schedule whether or not earlier ones were acknowledged.
	cpuBefore := cpuSeconds()
	var pushed, offered int64
	var writes sync.WaitGroup
	interval := time.Duration(int64(time.Second) / int64(*rate))
	clientID := fmt.Sprintf("fanout-go-writer-%d", os.Getpid())
	next := time.Now()
	end := next.Add(time.Duration(*seconds * float64(time.Second)))
	for n := 0; time.Now().Before(end); n++ {
		writes.Add(1)
		offered++
		go func(n int) {
			defer writes.Done()
			request := &gongjian.PushRequest{TenantId: *tenant, ClientId: clientID, Mutations: []*gongjian.Mutation{park(n, 200)}}
			if err := writer.Invoke(context.Background(), "/gongjian.v1.Sync/Push", request, &gongjian.PushResponse{}); err != nil {
				log.Fatalf("push: %v", err)
			}
			atomic.AddInt64(&pushed, 1)
		}(n)
		next = next.Add(interval)
		time.Sleep(time.Until(next))
	}
	writes.Wait()
	// The last deliveries arrive (a late one counts in the latencies, not as missing).
	expected := pushed * int64(*subscribers)
	drainUntil := time.Now().Add(30 * time.Second)
	for atomic.LoadInt64(&delivered) < expected && time.Now().Before(drainUntil) {
		time.Sleep(50 * time.Millisecond)
	}
	clientCPU := cpuSeconds() - cpuBefore
	cancel()
	group.Wait()
	writer.Close()

	sort.Float64s(latencies)
	percentile := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))]
	}
	line, _ := json.Marshal(map[string]interface{}{
		"scenario": "fanout", "client": "grpc-go", "subscribers": *subscribers, "live": live, "connections": *connections,
		"offered": offered, "commits": pushed, "deliveries": len(latencies), "expected_deliveries": expected,
		"p50_ms": percentile(0.5), "p99_ms": percentile(0.99), "max_ms": percentile(1), "client_cpu_s": clientCPU,
	})
	fmt.Println(string(line))
}

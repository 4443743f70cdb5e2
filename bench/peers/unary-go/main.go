// A unary load generator on grpc-go for bench/run: the same client against Gongjian's whoami
// (mutual TLS) and against the greeters, so that the one-at-a-time rates compare servers and not
// load generators. Requests are sent as pre-encoded bytes (a codec that passes bytes through), so
// no generated code is needed. Prints one JSON line: rpcs, rps, p50_us, p99_us.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
)

// rawCodec sends and receives messages as the bytes they are.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error)      { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error { *(v.(*[]byte)) = append([]byte(nil), data...); return nil }
func (rawCodec) Name() string                               { return "raw" }

func main() {
	server := flag.String("server", "", "HOST:PORT")
	method := flag.String("method", "", "full method, /package.Service/Method")
	request := flag.String("request-hex", "", "the request message, hex")
	ca := flag.String("ca", "", "CA certificate to trust (PEM)")
	cert := flag.String("cert", "", "client certificate (PEM), for mutual TLS")
	key := flag.String("key", "", "client key (PEM)")
	connections := flag.Int("connections", 1, "connections")
	streams := flag.Int("streams", 1, "concurrent calls per connection")
	seconds := flag.Float64("seconds", 10, "duration")
	flag.Parse()
	encoding.RegisterCodec(rawCodec{})
	message, err := hex.DecodeString(*request)
	if err != nil {
		log.Fatalf("request-hex: %v", err)
	}
	pem, err := os.ReadFile(*ca)
	if err != nil {
		log.Fatalf("ca: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	config := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			log.Fatalf("client certificate: %v", err)
		}
		config.Certificates = []tls.Certificate{pair}
	}
	conns := make([]*grpc.ClientConn, *connections)
	for i := range conns {
		conns[i], err = grpc.Dial(*server, grpc.WithTransportCredentials(credentials.NewTLS(config)),
			grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
		if err != nil {
			log.Fatalf("dial: %v", err)
		}
		// One call before the clock starts: the handshake is not part of the load.
		var reply []byte
		if err := conns[i].Invoke(context.Background(), *method, &message, &reply); err != nil {
			log.Fatalf("first call: %v", err)
		}
	}
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	var mutex sync.Mutex
	var latencies []time.Duration
	var group sync.WaitGroup
	started := time.Now()
	for _, conn := range conns {
		for s := 0; s < *streams; s++ {
			group.Add(1)
			go func(conn *grpc.ClientConn) {
				defer group.Done()
				var mine []time.Duration
				for time.Now().Before(deadline) {
					var reply []byte
					begun := time.Now()
					if err := conn.Invoke(context.Background(), *method, &message, &reply); err != nil {
						log.Fatalf("call: %v", err)
					}
					mine = append(mine, time.Since(begun))
				}
				mutex.Lock()
				latencies = append(latencies, mine...)
				mutex.Unlock()
			}(conn)
		}
	}
	group.Wait()
	elapsed := time.Since(started).Seconds()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	percentile := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(p*float64(len(latencies)-1))].Nanoseconds()) / 1000
	}
	line, _ := json.Marshal(map[string]interface{}{
		"rpcs": len(latencies), "rps": float64(len(latencies)) / elapsed, "seconds": elapsed,
		"p50_us": percentile(0.5), "p99_us": percentile(0.99), "connections": *connections, "streams": *streams,
	})
	fmt.Println(string(line))
}

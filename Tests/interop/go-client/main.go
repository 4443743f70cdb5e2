// A stock grpc-go client (Debian's golang-google-grpc-dev, GOPATH mode) calling Gongjian over
// mutual TLS: unary and server-streaming methods, with deadlines and cancellation. Messages are
// generated from proto/ at test time by protoc-gen-go; calls go through grpc.ClientConn's Invoke
// and NewStream with the methods' full names, as generated stubs would. One JSON line per check.
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
	"os"
	"path/filepath"
	"strings"
	"time"

	gongjian "gongjian/v1"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Debian packages grpc-go 1.33, whose default codec is github.com/golang/protobuf 1.3's and does
// not know messages generated for google.golang.org/protobuf; this is the codec grpc-go itself
// uses from 1.35 on.
type codec struct{}

func (codec) Marshal(v interface{}) ([]byte, error)      { return proto.Marshal(v.(proto.Message)) }
func (codec) Unmarshal(data []byte, v interface{}) error { return proto.Unmarshal(data, v.(proto.Message)) }
func (codec) Name() string                               { return "proto" }

func init() { encoding.RegisterCodec(codec{}) }

func emit(check string, fields map[string]interface{}) {
	fields["check"] = check
	line, _ := json.Marshal(fields)
	fmt.Println(string(line))
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	addr := flag.String("addr", "", "HOST:PORT")
	creds := flag.String("credentials", "", "a folder with ca.pem, cert.pem, key.pem")
	tenant := flag.String("tenant", "", "a tenant the office contributes to")
	other := flag.String("other-tenant", "", "a tenant the office is not a member of")
	largePull := flag.Bool("large-pull", false, "only push 1,500 parks and pull them back as one page of about a megabyte")
	live := flag.Int("live", 0, "only subscribe, push this many parks one at a time, and count what the subscription delivers")
	flag.Parse()

	pair, err := tls.LoadX509KeyPair(filepath.Join(*creds, "cert.pem"), filepath.Join(*creds, "key.pem"))
	if err != nil {
		fail("credentials: %v", err)
	}
	caPEM, err := ioutil.ReadFile(filepath.Join(*creds, "ca.pem"))
	if err != nil {
		fail("ca: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	config := &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: roots, ServerName: "127.0.0.1"}
	conn, err := grpc.Dial(*addr, grpc.WithTransportCredentials(credentials.NewTLS(config)), grpc.WithBlock(), grpc.WithTimeout(10*time.Second))
	if err != nil {
		fail("dial: %v", err)
	}
	defer conn.Close()
	if *largePull {
		pullLargePage(conn, *tenant)
		return
	}
	if *live > 0 {
		followLive(conn, *tenant, *live)
		return
	}

	// Unary.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	me := &gongjian.WhoAmIResponse{}
	if err := conn.Invoke(ctx, "/gongjian.v1.Identity/WhoAmI", &gongjian.WhoAmIRequest{}, me); err != nil {
		fail("WhoAmI: %v", err)
	}
	cancel()
	emit("whoami", map[string]interface{}{"office": me.GetOffice().GetId()})

	payload, _ := anypb.New(&gongjian.Park{Name: "grpc-go 互操作园区", HostCounty: "泗洪县", SuzhouPartner: "常熟市",
		PlannedAreaCentimu: 500000, BuiltAreaCentimu: 120000})
	recordID := newID()
	push := &gongjian.PushRequest{TenantId: *tenant, ClientId: "grpc-go-interop", Mutations: []*gongjian.Mutation{{
		MutationId: recordID, Kind: "park", RecordId: recordID, Change: &gongjian.Mutation_Payload{Payload: payload},
	}}}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	pushed := &gongjian.PushResponse{}
	if err := conn.Invoke(ctx, "/gongjian.v1.Sync/Push", push, pushed); err != nil {
		fail("Push: %v", err)
	}
	replayed := &gongjian.PushResponse{}
	if err := conn.Invoke(ctx, "/gongjian.v1.Sync/Push", push, replayed); err != nil {
		fail("Push again: %v", err)
	}
	cancel()
	if pushed.GetResults()[0].GetApplied() == nil {
		fail("Push not applied: %v", pushed)
	}
	seq := pushed.GetResults()[0].GetApplied().GetSequence()
	emit("push", map[string]interface{}{"sequence": seq, "replayed": replayed.GetResults()[0].GetReplayed(),
		"replayed_sequence": replayed.GetResults()[0].GetApplied().GetSequence()})

	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	page := &gongjian.PullResponse{}
	if err := conn.Invoke(ctx, "/gongjian.v1.Sync/Pull", &gongjian.PullRequest{TenantId: *tenant, Cursor: seq - 1}, page); err != nil {
		fail("Pull: %v", err)
	}
	cancel()
	ids := []string{}
	for _, record := range page.GetRecords() {
		ids = append(ids, record.GetId())
	}
	emit("pull", map[string]interface{}{"ids": ids, "head": page.GetCheckpoint().GetHeadSequence(), "expected": recordID})

	// An error status with its message.
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	err = conn.Invoke(ctx, "/gongjian.v1.Sync/Pull", &gongjian.PullRequest{TenantId: *other}, &gongjian.PullResponse{})
	cancel()
	emit("denied", map[string]interface{}{"code": status.Code(err).String(), "message": status.Convert(err).Message()})

	// Server streaming, cancelled by the client once caught up.
	desc := &grpc.StreamDesc{StreamName: "Subscribe", ServerStreams: true}
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	stream, err := conn.NewStream(ctx, desc, "/gongjian.v1.Sync/Subscribe")
	if err != nil {
		fail("Subscribe: %v", err)
	}
	if err := stream.SendMsg(&gongjian.SubscribeRequest{TenantId: *tenant, Cursor: seq - 1}); err != nil {
		fail("Subscribe send: %v", err)
	}
	stream.CloseSend()
	seen := []uint64{}
	caughtUp := false
	for !caughtUp {
		event := &gongjian.SubscribeResponse{}
		if err := stream.RecvMsg(event); err != nil {
			fail("Subscribe recv: %v", err)
		}
		for _, record := range event.GetChanges().GetRecords() {
			seen = append(seen, record.GetSequence())
		}
		caughtUp = event.GetHeartbeat().GetCaughtUp()
	}
	cancel()
	err = stream.RecvMsg(&gongjian.SubscribeResponse{})
	emit("subscribe_cancelled", map[string]interface{}{"sequences": seen, "code": status.Code(err).String()})

	// Server streaming under a deadline: the stream ends with DEADLINE_EXCEEDED, and soon.
	started := time.Now()
	ctx, cancel = context.WithTimeout(context.Background(), 700*time.Millisecond)
	stream, err = conn.NewStream(ctx, desc, "/gongjian.v1.Sync/Subscribe")
	if err != nil {
		fail("Subscribe: %v", err)
	}
	stream.SendMsg(&gongjian.SubscribeRequest{TenantId: *tenant, Cursor: page.GetCheckpoint().GetHeadSequence()})
	stream.CloseSend()
	var last error
	for {
		if last = stream.RecvMsg(&gongjian.SubscribeResponse{}); last != nil {
			break
		}
	}
	cancel()
	emit("subscribe_deadline", map[string]interface{}{"code": status.Code(last).String(), "seconds": time.Since(started).Seconds()})

	// The connection is still good after both.
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	err = conn.Invoke(ctx, "/gongjian.v1.Identity/WhoAmI", &gongjian.WhoAmIRequest{}, &gongjian.WhoAmIResponse{})
	cancel()
	emit("after", map[string]interface{}{"code": status.Code(err).String()})
	_ = codes.OK
}

// newID is a random UUID (version 4).
func newID() string {
	var random [16]byte
	rand.Read(random[:])
	random[6], random[8] = random[6]&0x0f|0x40, random[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", random[0:4], random[4:6], random[6:8], random[8:10], random[10:16])
}

// pullLargePage pushes 1,500 parks with long names and pulls them back as one page of about a
// megabyte. The server sends it as the client's WINDOW_UPDATEs come in, and grpc-go sends a BDP
// ping with them: the server must not take those for a flood of pings.
func pullLargePage(conn *grpc.ClientConn, tenant string) {
	name := strings.Repeat("园", 190)
	var first uint64
	for batch := 0; batch < 3; batch++ {
		mutations := []*gongjian.Mutation{}
		for i := 0; i < 500; i++ {
			payload, _ := anypb.New(&gongjian.Park{Name: fmt.Sprintf("%s %d-%d", name, batch, i), HostCounty: "泗洪县", SuzhouPartner: "常熟市"})
			id := newID()
			mutations = append(mutations, &gongjian.Mutation{MutationId: id, Kind: "park", RecordId: id, Change: &gongjian.Mutation_Payload{Payload: payload}})
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		pushed := &gongjian.PushResponse{}
		if err := conn.Invoke(ctx, "/gongjian.v1.Sync/Push", &gongjian.PushRequest{TenantId: tenant, ClientId: "grpc-go-large-pull", Mutations: mutations}, pushed); err != nil {
			fail("Push: %v", err)
		}
		cancel()
		if batch == 0 {
			first = pushed.GetResults()[0].GetApplied().GetSequence()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	page := &gongjian.PullResponse{}
	err := conn.Invoke(ctx, "/gongjian.v1.Sync/Pull", &gongjian.PullRequest{TenantId: tenant, Cursor: first - 1, PageSize: 1500}, page)
	cancel()
	if err != nil {
		fail("Pull: %v", err)
	}
	emit("large_pull", map[string]interface{}{"records": len(page.GetRecords()), "bytes": proto.Size(page)})
}

// followLive subscribes, pushes `count` parks one at a time and counts what the subscription
// delivers. Each change arrives in a burst of its own, and grpc-go sends a BDP ping with nearly
// every one: hundreds of pings within seconds, while the server keeps sending data.
func followLive(conn *grpc.ClientConn, tenant string, count int) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	page := &gongjian.PullResponse{}
	if err := conn.Invoke(ctx, "/gongjian.v1.Sync/Pull", &gongjian.PullRequest{TenantId: tenant, PageSize: 1}, page); err != nil {
		fail("Pull: %v", err)
	}
	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{StreamName: "Subscribe", ServerStreams: true}, "/gongjian.v1.Sync/Subscribe")
	if err != nil {
		fail("Subscribe: %v", err)
	}
	if err := stream.SendMsg(&gongjian.SubscribeRequest{TenantId: tenant, Cursor: page.GetCheckpoint().GetHeadSequence()}); err != nil {
		fail("Subscribe send: %v", err)
	}
	stream.CloseSend()
	for caughtUp := false; !caughtUp; {
		event := &gongjian.SubscribeResponse{}
		if err := stream.RecvMsg(event); err != nil {
			fail("Subscribe recv: %v", err)
		}
		caughtUp = event.GetHeartbeat().GetCaughtUp()
	}
	received := make(chan int)
	go func() {
		n := 0
		for n < count {
			event := &gongjian.SubscribeResponse{}
			if err := stream.RecvMsg(event); err != nil {
				fail("Subscribe recv after %d changes: %v", n, err)
			}
			n += len(event.GetChanges().GetRecords())
		}
		received <- n
	}()
	for i := 0; i < count; i++ {
		payload, _ := anypb.New(&gongjian.Park{Name: fmt.Sprintf("实时园区 %d", i), HostCounty: "泗洪县", SuzhouPartner: "常熟市"})
		id := newID()
		push := &gongjian.PushRequest{TenantId: tenant, ClientId: "grpc-go-live", Mutations: []*gongjian.Mutation{{
			MutationId: id, Kind: "park", RecordId: id, Change: &gongjian.Mutation_Payload{Payload: payload},
		}}}
		if err := conn.Invoke(ctx, "/gongjian.v1.Sync/Push", push, &gongjian.PushResponse{}); err != nil {
			fail("Push %d: %v", i, err)
		}
	}
	emit("live", map[string]interface{}{"received": <-received})
}

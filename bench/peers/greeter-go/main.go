// A greeter-like grpc-go server for bench/run: helloworld.Greeter/SayHello over TLS (server
// certificate only, since h2load cannot present a client certificate). Request and reply are
// google.protobuf.StringValue, so no generated code is needed and the Swift peer serves the
// same wire. Prints "listening on HOST:PORT" once bound.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	wrapperspb "github.com/golang/protobuf/ptypes/wrappers"
)

type greeter interface {
	SayHello(context.Context, *wrapperspb.StringValue) (*wrapperspb.StringValue, error)
}

type server struct{}

func (server) SayHello(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	return &wrapperspb.StringValue{Value: "Hello " + in.GetValue()}, nil
}

func sayHello(srv interface{}, ctx context.Context, dec func(interface{}) error, _ grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	return srv.(greeter).SayHello(ctx, in)
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "helloworld.Greeter",
	HandlerType: (*greeter)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "SayHello", Handler: sayHello}},
	Streams:     []grpc.StreamDesc{},
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "HOST:PORT")
	cert := flag.String("cert", "", "server certificate (PEM)")
	key := flag.String("key", "", "server key (PEM)")
	flag.Parse()
	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		log.Fatalf("tls: %v", err)
	}
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	s := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})))
	s.RegisterService(&serviceDesc, server{})
	fmt.Printf("listening on %s\n", listener.Addr())
	os.Stdout.Sync()
	if err := s.Serve(listener); err != nil {
		log.Fatalf("serve: %v", err)
	}
}

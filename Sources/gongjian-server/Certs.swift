import ArgumentParser
import Foundation
import GongjianClient
import GongjianServer

/// `gongjian-server certs`: the deployment's office certificates, offline.
struct Certs: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Issue, revoke and list office certificates.",
    subcommands: [Issue.self, Revoke.self, SignRevocations.self, List.self, RotateServer.self]
  )

  struct Issue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Issue a client certificate for a registered office.")

    @OptionGroup var common: CommonOptions

    @Option(help: "The office id (as registered).")
    var office: String

    @Option(help: "Where to write ca.pem, cert.pem and key.pem (default: <data-dir>/pki/offices/<office>).")
    var out: String?

    @Option(help: ArgumentHelp("Also write the three as one file to hand to the office (`gongjian profile add … --credentials FILE`).", valueName: "file"))
    var bundle: String?

    func run() async throws {
      let logger = self.common.makeLogger()
      let directory = DataDirectory(path: self.common.dataDir)
      let issued = try await self.common.withStore(logger: logger) { store in
        try await directory.issueCredentials(
          officeID: self.office, authority: try directory.loadAuthority(), store: store,
          folder: self.out.map { URL(fileURLWithPath: $0, isDirectory: true) }, actor: DirectoryTarget.offlineActor
        )
      }
      print("issued certificate \(issued.serial) for \(self.office) in \(issued.folder.path)")
      if let bundle = self.bundle {
        try CredentialBundle.write(folder: issued.folder, officeID: self.office, serial: issued.serial, to: bundle)
        print("wrote \(bundle): one file with the CA certificate, the office's certificate and its key (keep it secret)")
      }
    }
  }

  struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Revoke a certificate; a running server refuses it within seconds, without a restart."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "The certificate's hex serial (as `certs list` shows it).")
    var serial: String

    func run() async throws {
      let logger = self.common.makeLogger()
      let serial = self.serial.lowercased().replacingOccurrences(of: ":", with: "")
      let revoked = try await self.common.withStore(logger: logger) { store in
        try await store.revokeCertificate(serial: serial, at: Date(), actor: DirectoryTarget.offlineActor)
      }
      guard let certificate = revoked else {
        throw ValidationError("no certificate with serial \(serial)")
      }
      print("revoked \(certificate.serial) of \(certificate.officeID)")
    }
  }

  struct SignRevocations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sign-revocations",
      abstract: "Where the CA's key lives apart from the server: add serials to the CA-signed revocation list.",
      discussion: """
        Writes <data-dir>/pki/revocations.signed (every serial revoked so far, signed with the CA's key). \
        Copy it to the server's <data-dir>/pki/: the server checks the signature against its CA \
        certificate and refuses those certificates within seconds, without a restart.
        Example: gongjian-server certs sign-revocations 5f0c3a… --data-dir /secure/gongjian-ca
        """
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "Hex serials to revoke (as `certs list` shows them).")
    var serials: [String] = []

    func run() async throws {
      let directory = DataDirectory(path: self.common.dataDir)
      let list: SignedRevocationList
      do {
        list = try directory.signRevocations(adding: self.serials)
      } catch let error as GongjianError {
        throw error.exit()
      }
      print("signed \(directory.revocationListPath): \(list.serials.count) revoked serial(s); copy it to the server's <data-dir>/pki/revocations.signed")
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List issued certificates.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Only this office's certificates.")
    var office: String?

    func run() async throws {
      let logger = self.common.makeLogger()
      let formatter = ISO8601DateFormatter()
      let certificates = try await self.common.withStore(logger: logger) { try await $0.certificates(officeID: self.office) }
      for certificate in certificates {
        let state = certificate.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "valid"
        print("\(certificate.serial)  \(certificate.officeID)  until \(formatter.string(from: certificate.notAfter))  \(state)")
      }
    }
  }

  struct RotateServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rotate-server",
      abstract: "Issue a new server certificate and replace the server's: new handshakes use it within seconds, open connections keep theirs.",
      discussion: "Example: gongjian-server certs rotate-server --data-dir /srv/gongjian (the hosts of the current certificate unless --host is given)"
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("host"), help: "A DNS name or IP address for the new certificate (repeatable; default: the current one's).")
    var hosts: [String] = []

    func run() async throws {
      let directory = DataDirectory(path: self.common.dataDir)
      let serial = try directory.rotateServerCertificate(hosts: self.hosts.isEmpty ? nil : self.hosts)
      print("issued server certificate \(serial) for \(try directory.serverCertificateHosts().joined(separator: ", ")); a running server uses it for new handshakes within seconds")
    }
  }

}

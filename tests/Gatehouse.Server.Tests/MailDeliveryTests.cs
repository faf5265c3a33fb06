using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests;

/// <summary>Mail through the real SMTP transport (MailKit) to a real maildev.</summary>
public sealed class MailDeliveryTests
{
    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_message_sent_over_smtp_arrives_with_its_sender_recipient_subject_and_both_bodies()
    {
        using var factory = new GatehouseFactory();
        var email = Emails.New("headers");
        await factory.Native().RegisterAsync(email);

        var message = await MailDev.WaitForAsync(email, "Confirm your email");

        Assert.Equal("Confirm your email for Gatehouse", message.Subject);
        var from = Assert.Single(message.From);
        Assert.Equal("no-reply@gatehouse.test", from.Value);
        Assert.Equal("Gatehouse", from.Name);
        Assert.Equal(email, Assert.Single(message.To).Value);
        Assert.StartsWith($"{GatehouseFactory.PublicBaseUrl}/account/confirm-email?token=", message.Link, StringComparison.Ordinal);
        Assert.StartsWith("Hello,\n\nPlease confirm your email address", message.Text, StringComparison.Ordinal);
        // A non-ASCII character survives whatever transfer encoding was chosen.
        Assert.EndsWith("— Gatehouse\n", message.Text, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{message.Link}\">Confirm email</a>", message.Html, StringComparison.Ordinal);
        Assert.StartsWith("multipart/alternative", message.Headers.GetProperty("content-type").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("@gatehouse.test>", message.Headers.GetProperty("message-id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_messages_of_one_poll_share_one_smtp_connection()
    {
        await using var relay = TcpForwarder.Start(0, TestEnvironment.SmtpPort);
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Smtp:Port"] = Port(relay.Port) });
        var recipients = Enumerable.Range(0, 3).Select(_ => Emails.New("batch")).ToList();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // Queued in one transaction, so the dispatcher finds all three in the same poll.
            var outbox = scope.ServiceProvider.GetRequiredService<MailOutbox>();
            foreach (var recipient in recipients)
            {
                outbox.Enqueue(MailIntent.PasswordChanged, recipient, new MailModel("Ada", null));
            }
            Assert.Equal(SaveOutcome.Saved, (await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().SaveChangesAsync()).Outcome);
        }

        foreach (var recipient in recipients)
        {
            await MailDev.WaitForAsync(recipient, "password was changed");
        }
        Assert.Equal(1, relay.Connections);
    }

    [Fact]
    public async Task A_message_whose_smtp_connection_is_refused_stays_queued_and_is_sent_on_the_retry()
    {
        var port = GatehouseProcess.FreePort();
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Smtp:Port"] = Port(port) });
        var email = Emails.New("refused");
        await factory.Native().RegisterAsync(email);

        var failed = Assert.Single(await Outbox.WaitUntilAsync(factory.Database, email, rows => rows.Count == 1 && rows[0].LastError is not null, "a failed first attempt"));
        Assert.Equal(1, failed.Attempts);
        Assert.True(failed.Pending);
        Assert.Contains("refused", failed.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await MailDev.ForAsync(email));

        await using var relay = TcpForwarder.Start(port, TestEnvironment.SmtpPort);
        factory.Clock.Advance(TimeSpan.FromSeconds(6)); // the first retry waits 5 s
        await MailDev.WaitForAsync(email, "Confirm your email");
        var sent = Assert.Single(await Outbox.WaitUntilDeliveredAsync(factory.Database, email));
        Assert.True(sent.Sent);
        Assert.Equal(2, sent.Attempts);
        Assert.Single(await MailDev.ForAsync(email));
    }

    [Fact]
    public async Task With_starttls_required_a_server_that_does_not_offer_it_gets_nothing_in_the_clear()
    {
        // maildev offers no STARTTLS: UseTls (the older switch) must refuse to send rather than
        // fall back to plain text.
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Smtp:UseTls"] = "true" });
        var email = Emails.New("starttls");
        await factory.Native().RegisterAsync(email);

        var failed = Assert.Single(await Outbox.WaitUntilAsync(factory.Database, email, rows => rows.Count == 1 && rows[0].LastError is not null, "a failed first attempt"));
        Assert.True(failed.Pending);
        Assert.Contains("STARTTLS", failed.LastError, StringComparison.Ordinal);
        Assert.Empty(await MailDev.ForAsync(email));
    }
}

/// <summary>
/// Implicit TLS and credentials, against a maildev that accepts only TLS from the first byte and
/// only a signed-in client, with a certificate made for the test.
/// </summary>
public sealed class ImplicitTlsMailTests(ImplicitTlsMailTests.TlsMailDev server) : IClassFixture<ImplicitTlsMailTests.TlsMailDev>
{
    public const string Username = "gatehouse";
    public const string Password = "smtp secret for tests";

    public sealed class TlsMailDev : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("gatehouse-tls-").FullName;

        public MailDevServer Server { get; private set; } = null!;

        /// <summary>The server's self-signed certificate (PEM): a client trusts it only when told to.</summary>
        public string CertificatePath => Path.Combine(_folder, "cert.pem");

        public async Task InitializeAsync()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")], false));
            var now = TimeProvider.System.GetUtcNow();
            using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
            await File.WriteAllTextAsync(CertificatePath, certificate.ExportCertificatePem());
            var keyPath = Path.Combine(_folder, "key.pem");
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            Server = await MailDevServer.StartAsync("--incoming-secure", "--incoming-cert", CertificatePath, "--incoming-key", keyPath, "--incoming-user", Username, "--incoming-pass", Password);
        }

        public async Task DisposeAsync()
        {
            if (Server is not null)
            {
                await Server.DisposeAsync();
            }
            Directory.Delete(_folder, recursive: true);
        }
    }

    private Dictionary<string, string> Smtp() => new()
    {
        ["Gatehouse:Smtp:Host"] = "127.0.0.1",
        ["Gatehouse:Smtp:Port"] = server.Server.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Gatehouse:Smtp:Security"] = "tls",
        ["Gatehouse:Smtp:Username"] = Username,
        ["Gatehouse:Smtp:Password"] = Password,
        ["Gatehouse:Smtp:From"] = "Gatehouse <no-reply@gatehouse.test>",
        ["Gatehouse:Smtp:PollInterval"] = "00:00:00.100",
    };

    [Fact]
    public async Task Over_implicit_tls_with_credentials_a_message_reaches_a_server_that_requires_both()
    {
        using var database = TestDatabase.Create();
        var settings = Smtp();
        settings["Gatehouse:DataDirectory"] = database.DataDirectory;
        settings["Gatehouse:Database:Provider"] = database.Provider;
        settings["Gatehouse:Database:ConnectionString"] = database.ConnectionString;
        // Its own process, which trusts the test's certificate (OpenSSL's trust store file).
        settings["SSL_CERT_FILE"] = server.CertificatePath;
        await using var gatehouse = await GatehouseProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = gatehouse.BaseAddress };
        var email = Emails.New("tls");
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/account/register", new { email, password = NativeClient.Password })).StatusCode);

        var message = await MailDev.WaitForAsync(server.Server.Http, email, "Confirm your email");
        Assert.Equal("no-reply@gatehouse.test", Assert.Single(message.From).Value);
        Assert.Equal(email, Assert.Single(message.To).Value);
        Assert.Contains("/account/confirm-email?token=", message.Link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_whose_certificate_is_not_trusted_gets_nothing()
    {
        using var factory = new GatehouseFactory(Smtp().ToDictionary(p => p.Key, p => (string?)p.Value));
        var email = Emails.New("untrusted");
        await factory.Native().RegisterAsync(email);

        var failed = Assert.Single(await Outbox.WaitUntilAsync(factory.Database, email, rows => rows.Count == 1 && rows[0].LastError is not null, "a failed first attempt"));
        Assert.True(failed.Pending);
        Assert.Contains("certificate", failed.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await MailDev.ForAsync(server.Server.Http, email));
    }
}

using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// The real Gatehouse host (Program) on a fresh database of the provider under test, with mail
/// going to the real SMTP sink and a clock the test moves.
/// </summary>
public class GatehouseFactory : WebApplicationFactory<Program>
{
    public const string PublicBaseUrl = "http://gatehouse.test";

    private readonly TestDatabase _database;
    private readonly Dictionary<string, string?> _settings;

    public GatehouseFactory() : this(new Dictionary<string, string?>())
    {
    }

    internal GatehouseFactory(IDictionary<string, string?> settings, TestDatabase? sharedDatabase = null, FakeTimeProvider? clock = null)
    {
        _database = sharedDatabase ?? TestDatabase.Create();
        OwnsDatabase = sharedDatabase is null;
        // Starts at the real time (not FakeTimeProvider's default of 2000-01-01), as the hand-written clock did.
        Clock = clock ?? new FakeTimeProvider(DateTimeOffset.UtcNow);
        _settings = new Dictionary<string, string?>
        {
            ["Gatehouse:PublicBaseUrl"] = PublicBaseUrl,
            ["Gatehouse:DataDirectory"] = _database.DataDirectory,
            ["Gatehouse:Database:Provider"] = _database.Provider,
            ["Gatehouse:Database:ConnectionString"] = _database.ConnectionString,
            ["Gatehouse:Smtp:Host"] = TestEnvironment.SmtpHost,
            ["Gatehouse:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gatehouse:Smtp:From"] = "Gatehouse <no-reply@gatehouse.test>",
            ["Gatehouse:Smtp:PollInterval"] = "00:00:00.100",
            // The in-memory test server has no client IP: every request shares one partition.
            ["Gatehouse:RateLimits:SignInPerMinute"] = "100000",
            ["Gatehouse:RateLimits:RegistrationPerMinute"] = "100000",
            ["Gatehouse:RateLimits:EmailPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    public FakeTimeProvider Clock { get; }

    public TestDatabase Database => _database;

    private bool OwnsDatabase { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public NativeClient Native() => new(CreateClient());

    /// <summary>Creates an administrator directly through the core, as the CLI does.</summary>
    public async Task<(string Email, string Password)> CreateAdminAsync()
    {
        var email = Emails.New("admin");
        const string password = "admin password for tests";
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(
            new RegistrationRequest { Email = email, Password = password },
            new RegistrationMode { ByAdministrator = true, EmailConfirmed = true, Roles = [KnownRoles.Admin] },
            RequestContext.Internal);
        Assert.True(created.Succeeded, created.Error?.ToString());
        return (email, password);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && OwnsDatabase)
        {
            _database.Dispose();
        }
    }
}

public static class Emails
{
    /// <summary>A unique address, so tests sharing the SMTP sink never read each other's mail.</summary>
    public static string New(string who = "user") => $"{who}.{Guid.NewGuid():N}@example.com";
}

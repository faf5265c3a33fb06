using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Common;
using Gatehouse.Server.Hosting;
using Gatehouse.Storage;

namespace Gatehouse.Server.Cli;

/// <summary>
/// Admin commands of the same executable:
/// <c>migrate</c>, <c>create-admin --email E --password P [--username U]</c>,
/// <c>create-client --client-id ID [--name N] [--secret S] [--redirect-uri U]...</c>.
/// </summary>
internal static class AdminCommands
{
    private static readonly string[] Commands = ["migrate", "create-admin", "create-client", "help", "--help"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0], StringComparer.Ordinal);

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (args[0] is "help" or "--help")
        {
            Console.WriteLine(Usage);
            return 0;
        }
        // The same start-up work as the server: migrations and the signing key.
        var initializer = app.Services.GetServices<IHostedService>().OfType<DatabaseInitializer>().Single();
        await initializer.StartAndWaitAsync(CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var context = new RequestContext(Surfaces.Cli);
        switch (args[0])
        {
            case "migrate":
                Console.WriteLine("Migrations applied; the database is up to date.");
                return 0;
            case "create-admin":
            {
                var email = Option(args, "--email");
                var password = Option(args, "--password") ?? Environment.GetEnvironmentVariable("GATEHOUSE_ADMIN_PASSWORD");
                if (email is null || password is null)
                {
                    Console.Error.WriteLine("create-admin needs --email and --password (or GATEHOUSE_ADMIN_PASSWORD).");
                    return 2;
                }
                var created = await sp.GetRequiredService<AccountService>().RegisterAsync(
                    new RegistrationRequest { Email = email, Username = Option(args, "--username"), Password = password },
                    new RegistrationMode { ByAdministrator = true, EmailConfirmed = true, Roles = [KnownRoles.Admin] },
                    context);
                if (!created.Succeeded)
                {
                    Console.Error.WriteLine($"Could not create the admin: {created.Error!.Message} {string.Join("; ", created.Error.Fields.Select(f => $"{f.Key}: {string.Join(", ", f.Value)}"))}");
                    return 1;
                }
                Console.WriteLine($"Created admin {created.Value.User.Id} <{email}>.");
                return 0;
            }
            case "create-client":
            {
                var clientId = Option(args, "--client-id");
                var created = await sp.GetRequiredService<AdminService>().CreateClientAsync(new ClientChange
                {
                    ClientId = clientId,
                    Name = Option(args, "--name"),
                    Secret = Option(args, "--secret"),
                    RedirectUris = Options(args, "--redirect-uri"),
                }, "cli", context);
                if (!created.Succeeded)
                {
                    Console.Error.WriteLine($"Could not create the client: {created.Error!.Message} {string.Join("; ", created.Error.Fields.Select(f => $"{f.Key}: {string.Join(", ", f.Value)}"))}");
                    return 1;
                }
                var secret = sp.GetRequiredService<AdminService>().RevealSecret(created.Value);
                Console.WriteLine($"Created client {created.Value.ClientId}");
                Console.WriteLine($"client_secret: {secret}");
                return 0;
            }
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private const string Usage = """
        Usage: Gatehouse [command]
          (no command)                       run the server
          migrate                            apply database migrations and exit
          create-admin --email E --password P [--username U]
                                             create an administrator (password may come from GATEHOUSE_ADMIN_PASSWORD)
          create-client --client-id ID [--name N] [--secret S] [--redirect-uri URI]...
                                             create an OAuth client and print its secret
        """;

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static List<string> Options(string[] args, string name) =>
        args.Select((a, i) => (a, i)).Where(p => p.a == name && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
}

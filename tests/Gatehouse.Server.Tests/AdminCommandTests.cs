using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>The executable's admin commands (create-admin, create-client) against a fresh database.</summary>
public sealed class AdminCommandTests
{
    [Fact]
    public async Task The_create_admin_and_create_client_commands_prepare_a_fresh_database()
    {
        using var database = TestDatabase.Create();
        var settings = new Dictionary<string, string>
        {
            ["Gatehouse:DataDirectory"] = database.DataDirectory,
            ["Gatehouse:Database:Provider"] = database.Provider,
            ["Gatehouse:Database:ConnectionString"] = database.ConnectionString,
        };
        var email = Emails.New("first-admin");
        var admin = await GatehouseProcess.RunCommandAsync(settings, "create-admin", "--email", email, "--password", NativeClient.Password);
        Assert.True(admin.ExitCode == 0, admin.Output);
        var client = await GatehouseProcess.RunCommandAsync(settings, "create-client", "--client-id", "cli-app", "--name", "CLI app", "--redirect-uri", "https://app.example.com/cb");
        Assert.True(client.ExitCode == 0, client.Output);
        var secret = client.Output.Split('\n').Single(l => l.StartsWith("client_secret: ", StringComparison.Ordinal))["client_secret: ".Length..].Trim();

        var again = await GatehouseProcess.RunCommandAsync(settings, "create-admin", "--email", email, "--password", NativeClient.Password);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Output, StringComparison.Ordinal);
        Assert.Equal(2, (await GatehouseProcess.RunCommandAsync(settings, "create-admin", "--email", email)).ExitCode);

        await using var server = await GatehouseProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var api = new NativeClient(http);
        var token = (await api.SignInAsync(email)).AccessToken;
        var read = await (await api.SendAsync(HttpMethod.Get, "/api/v1/admin/clients/cli-app", token)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(secret, read.GetProperty("secret").GetString());
        Assert.Equal("https://app.example.com/cb", read.GetProperty("redirectUris")[0].GetString());
    }
}

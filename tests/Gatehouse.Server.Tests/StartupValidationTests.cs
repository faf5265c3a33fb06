using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>The real server process refuses to start on a bad setting and says which key and how to fix it.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Gatehouse:Database:Provider", "oracle", "Gatehouse:Database:Provider must be 'sqlite' or 'postgres'")]
    [InlineData("Gatehouse:PublicBaseUrl", "not a url", "Gatehouse:PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Gatehouse:Passwords:MinimumLength", "4", "Gatehouse:Passwords:MinimumLength")]
    [InlineData("Gatehouse:Tokens:SigningAlgorithm", "HS256", "Gatehouse:Tokens:SigningAlgorithm must be ES256 or RS256")]
    [InlineData("Gatehouse:ReverseProxy:TrustedProxies:0", "proxy.example", "Gatehouse:ReverseProxy:TrustedProxies must list IP addresses")]
    public async Task A_bad_setting_stops_the_start_up_with_a_message_that_names_the_key(string key, string value, string message)
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-bad-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatehouseProcess.StartAsync(new Dictionary<string, string> { ["Gatehouse:DataDirectory"] = data, [key] = value }));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>Per-IP limits behind a reverse proxy, with a real process on loopback.</summary>
public sealed class ReverseProxyTests
{
    // Documentation addresses (RFC 5737): they only ever appear inside a header.
    private const string ClientA = "192.0.2.10";
    private const string ClientB = "198.51.100.20";

    private static async Task<HttpStatusCode> SignInFromAsync(HttpClient http, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/account/sign-in") { Content = JsonContent.Create(new { login = Emails.New(), password = "whatever it is" }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static Dictionary<string, string> Settings(string data, string? trusted)
    {
        var settings = new Dictionary<string, string>
        {
            ["Gatehouse:DataDirectory"] = data,
            ["Gatehouse:RateLimits:SignInPerMinute"] = "2",
        };
        if (trusted is not null)
        {
            settings["Gatehouse:ReverseProxy:TrustedProxies:0"] = trusted;
        }
        return settings;
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit()
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-proxy-").FullName;
        try
        {
            await using var server = await GatehouseProcess.StartAsync(Settings(data, "127.0.0.1"));
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInFromAsync(http, ClientA));
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInFromAsync(http, ClientA));
            Assert.Equal(HttpStatusCode.TooManyRequests, await SignInFromAsync(http, ClientA));
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInFromAsync(http, ClientB));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_trusted_proxy_a_client_cannot_escape_its_limit_by_sending_x_forwarded_for()
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-proxy-").FullName;
        try
        {
            await using var server = await GatehouseProcess.StartAsync(Settings(data, null));
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInFromAsync(http, ClientA));
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInFromAsync(http, ClientB));
            Assert.Equal(HttpStatusCode.TooManyRequests, await SignInFromAsync(http, "203.0.113.30"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}

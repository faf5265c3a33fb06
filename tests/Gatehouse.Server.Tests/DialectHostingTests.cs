using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Dialects;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests;

/// <summary>
/// How dialects are mounted, moved, switched off and kept apart, with two small dialects made
/// for the test (each real dialect has its own suite).
/// </summary>
public sealed class DialectHostingTests
{
    private sealed class AlphaDialect : IDialect
    {
        public string Name => "alpha";
        public string DefaultBasePath => "/alpha";

        public void Map(RouteGroupBuilder group)
        {
            group.MapGet("/ping", () => Results.Json(new PongBody(true), TestDialectJson.Default.PongBody));
            group.MapPost("/echo", (EchoBody body) => Results.Json(body, TestDialectJson.Default.EchoBody));
            group.MapGet("/boom", IResult () => throw new InvalidOperationException("secret detail"));
        }

        public Task WriteErrorAsync(HttpContext context, int status) =>
            context.Response.WriteAsJsonAsync(new AlphaErrorBody(status), TestDialectJson.Default.AlphaErrorBody);
    }

    private sealed class BetaDialect : IDialect
    {
        public string Name => "beta";
        public string DefaultBasePath => "/";

        public void Map(RouteGroupBuilder group) => group.MapGet("/alpha/ping", () => Results.Json(new BetaPong(true), TestDialectJson.Default.BetaPong));

        public Task WriteErrorAsync(HttpContext context, int status) =>
            context.Response.WriteAsJsonAsync(new BetaErrorBody(status), TestDialectJson.Default.BetaErrorBody);
    }

    public sealed record EchoBody(string Text);
    public sealed record PongBody(bool Pong);
    public sealed record BetaPong(bool Beta);
    public sealed record AlphaErrorBody(int AlphaError);
    public sealed record BetaErrorBody(int BetaError);

    private sealed class DialectFactory(IDictionary<string, string?> settings, bool withBeta = false) : GatehouseFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // These tests exercise the hosting rules with the two test dialects alone; the real
            // dialect "arc" is mounted at "/" by default and would answer beta's and the native
            // API's unknown paths (by design, CONTRACTS.md), so it is switched off here.
            builder.UseSetting("Gatehouse:Dialects:arc:Enabled", "false");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            builder.ConfigureTestServices(services =>
            {
                var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Gatehouse");
                services.AddDialect<AlphaDialect>(config, "alpha", TestDialectJson.Default);
                if (withBeta)
                {
                    services.AddDialect<BetaDialect>(config, "beta", TestDialectJson.Default);
                }
            });
        }
    }

    [Fact]
    public async Task A_dialect_serves_its_routes_at_its_default_base_path()
    {
        using var factory = new DialectFactory(new Dictionary<string, string?>());
        var http = factory.CreateClient();
        Assert.True((await http.GetFromJsonAsync<JsonElement>("/alpha/ping")).GetProperty("pong").GetBoolean());
    }

    [Fact]
    public async Task Failures_under_a_dialect_base_path_use_the_dialect_error_body()
    {
        using var factory = new DialectFactory(new Dictionary<string, string?>());
        var http = factory.CreateClient();

        await AssertAlphaErrorAsync(await http.GetAsync("/alpha/unknown"), 404);
        await AssertAlphaErrorAsync(await http.DeleteAsync("/alpha/ping"), 405);
        await AssertAlphaErrorAsync(await http.PostAsync("/alpha/echo", new StringContent("{\"text\":", Encoding.UTF8, "application/json")), 400);
        await AssertAlphaErrorAsync(await http.PostAsync("/alpha/echo", new StringContent("{\"text\":1}", Encoding.UTF8, "application/json")), 400);
        await AssertAlphaErrorAsync(await http.PostAsync("/alpha/echo", new StringContent("hi", Encoding.UTF8, "text/plain")), 415);

        var boom = await http.GetAsync("/alpha/boom");
        await AssertAlphaErrorAsync(boom, 500);

        // Outside the base path, the native API's problem details.
        var native = await http.GetAsync("/alphabet");
        Assert.Equal("application/problem+json", native.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_dialect_moves_to_another_base_path_by_configuration()
    {
        using var factory = new DialectFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:alpha:BasePath"] = "/elsewhere/a/" });
        var http = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/elsewhere/a/ping")).StatusCode);
        Assert.Equal("application/problem+json", (await http.GetAsync("/alpha/ping")).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_switched_off_dialect_is_not_mounted()
    {
        using var factory = new DialectFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:alpha:Enabled"] = "false" });
        var response = await factory.CreateClient().GetAsync("/alpha/ping");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void Two_dialects_claiming_the_same_method_and_path_stop_the_start_up()
    {
        using var factory = new DialectFactory(new Dictionary<string, string?>(), withBeta: true);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("both claim GET /alpha/ping", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_route_goes_to_the_dialect_with_the_longest_base_path_but_native_paths_stay_native()
    {
        // Alpha moves so the two no longer clash; beta stays at "/".
        using var moved = new DialectFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:alpha:BasePath"] = "/a" }, withBeta: true);
        var http = moved.CreateClient();
        await AssertAlphaErrorAsync(await http.GetAsync("/a/nope"), 404);
        var beta = await http.GetAsync("/nope");
        Assert.Equal(404, (await beta.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("betaError").GetInt32());
        var native = await http.GetAsync("/api/v1/nope");
        Assert.Equal("application/problem+json", native.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertAlphaErrorAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret detail", body, StringComparison.Ordinal);
        Assert.Equal(status, JsonDocument.Parse(body).RootElement.GetProperty("alphaError").GetInt32());
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(DialectHostingTests.EchoBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DialectHostingTests.PongBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DialectHostingTests.BetaPong))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DialectHostingTests.AlphaErrorBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DialectHostingTests.BetaErrorBody))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class TestDialectJson : System.Text.Json.Serialization.JsonSerializerContext;

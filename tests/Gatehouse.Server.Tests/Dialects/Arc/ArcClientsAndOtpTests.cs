using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects.Arc;

/// <summary>Dialect "arc": /auth-clients with LoopBack filters, and the protected /otp-caches.</summary>
public sealed class ArcClientsAndOtpTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly ArcApi _arc = new(factory);

    private static object NewClientBody(string clientId, int access = 900) => new
    {
        clientId,
        clientSecret = "a client secret of some length",
        secret = "a code signing secret value",
        redirectUrl = "https://app.example.com/cb",
        accessTokenExpiration = access,
        refreshTokenExpiration = 86400,
        authCodeExpiration = 180,
    };

    private async Task<JsonElement> CreateAsync(string admin, string clientId, int access = 900)
    {
        var created = await _arc.PostAsync("/auth-clients", NewClientBody(clientId, access), admin);
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string Q(object filter) => Uri.EscapeDataString(JsonSerializer.Serialize(filter, new JsonSerializerOptions { MaxDepth = 200 }));

    [Fact]
    public async Task Non_admins_get_403_NotAllowedAccess_and_anonymous_callers_401()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var user = await _arc.LoginTokenAsync(client, email);
        var forbidden = await _arc.SendAsync(HttpMethod.Get, "/auth-clients", bearer: user.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Golden.AssertMatches("arc/forbidden.json", await forbidden.Content.ReadAsStringAsync());
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/otp-caches", new { otp = "123456", username = email }, user.AccessToken), HttpStatusCode.Forbidden, "NotAllowedAccess");
        await ArcApi.AssertErrorAsync(await _arc.SendAsync(HttpMethod.Get, "/auth-clients/count"), HttpStatusCode.Unauthorized, "Bearer realm=\"Users\"");
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/otp-caches", new { otp = "123456", username = email }), HttpStatusCode.Unauthorized, "Bearer realm=\"Users\"");
    }

    [Fact]
    public async Task An_admin_creates_reads_changes_and_deletes_a_client()
    {
        var admin = await _arc.AdminTokenAsync();
        var clientId = "crud-" + Guid.NewGuid().ToString("N")[..8];
        var created = await CreateAsync(admin, clientId);
        Golden.AssertMatches("arc/auth-client.json", created.GetRawText());
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("a code signing secret value", created.GetProperty("secret").GetString());

        var read = await _arc.SendAsync(HttpMethod.Get, $"/auth-clients/{id}", bearer: admin);
        Golden.AssertMatches("arc/auth-client.json", await read.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await _arc.SendAsync(HttpMethod.Patch, $"/auth-clients/{id}", new { authCodeExpiration = 60 }, admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _arc.SendAsync(HttpMethod.Put, $"/auth-clients/{id}", NewClientBody(clientId, 1200), admin)).StatusCode);
        var changed = await (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients/{id}", bearer: admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1200, changed.GetProperty("accessTokenExpiration").GetInt32());
        Assert.Equal(180, changed.GetProperty("authCodeExpiration").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await _arc.SendAsync(HttpMethod.Delete, $"/auth-clients/{id}", bearer: admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients/{id}", bearer: admin)).StatusCode);

        var missing = await _arc.PostAsync("/auth-clients", new { clientId = "x" }, admin);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
    }

    [Fact]
    public async Task Filters_select_order_page_count_and_patch_by_where()
    {
        var admin = await _arc.AdminTokenAsync();
        var tag = "flt" + Guid.NewGuid().ToString("N")[..8];
        var a = await CreateAsync(admin, tag + "-a", 100);
        await CreateAsync(admin, tag + "-b", 200);
        await CreateAsync(admin, tag + "-c", 300);

        var like = await (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients?filter={Q(new { where = new { clientId = new { like = tag + "%" } }, order = "accessTokenExpiration DESC" })}", bearer: admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(new[] { tag + "-c", tag + "-b", tag + "-a" }, like.EnumerateArray().Select(c => c.GetProperty("clientId").GetString()!).ToArray());

        var paged = await (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients?filter={Q(new { where = new { clientId = new { like = tag + "%" } }, order = new[] { "clientId ASC" }, limit = 1, skip = 1, fields = new { clientId = true } })}", bearer: admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Single(paged.EnumerateArray());
        Assert.Equal(tag + "-b", paged[0].GetProperty("clientId").GetString());
        Assert.False(paged[0].TryGetProperty("clientSecret", out _));

        var where = new { and = new object[] { new { clientId = new { inq = new[] { tag + "-a", tag + "-b", tag + "-c" } } }, new { or = new object[] { new { accessTokenExpiration = new { gte = 200 } }, new { id = a.GetProperty("id").GetInt64() } } } } };
        var count = await (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients/count?where={Q(where)}", bearer: admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, count.GetProperty("count").GetInt32());
        var between = await (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients/count?where={Q(new { clientId = new { like = tag + "%" }, accessTokenExpiration = new { between = new[] { 150, 250 } } })}", bearer: admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, between.GetProperty("count").GetInt32());
        var neq = await (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients/count?where={Q(new { clientId = new { like = tag + "%" }, accessTokenExpiration = new { neq = 100 }, id = new { nin = new[] { 0 } } })}", bearer: admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, neq.GetProperty("count").GetInt32());

        var patched = await _arc.SendAsync(HttpMethod.Patch, $"/auth-clients?where={Q(new { clientId = new { like = tag + "%" }, accessTokenExpiration = new { lt = 300 } })}", new { authCodeExpiration = 42 }, admin);
        Assert.Equal(2, (await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());
        var after = await (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients/count?where={Q(new { authCodeExpiration = 42, clientId = new { like = tag + "%" } })}", bearer: admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, after.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Hostile_where_objects_are_answered_with_400_never_500()
    {
        var admin = await _arc.AdminTokenAsync();
        var deepJson = "{\"clientId\":\"x\"}";
        for (var i = 0; i < 50; i++)
        {
            deepJson = "{\"and\":[" + deepJson + "]}";
        }
        var deep = JsonDocument.Parse(deepJson, new JsonDocumentOptions { MaxDepth = 200 }).RootElement;
        var hostile = new object[]
        {
            new { clientSecret = "guess" },
            new { nosuchfield = 1 },
            new { clientId = new { regexp = ".*" } },
            new { clientId = new { inq = Enumerable.Range(0, 5000).Select(i => "c" + i).ToArray() } },
            deep,
            new { id = "1; DROP TABLE clients" },
            new { createdOn = new { gt = "not a date" } },
            new { id = new { like = "1%" } },
            new { clientId = new { eq = new { nested = true } } },
        };
        foreach (var where in hostile)
        {
            var count = await _arc.SendAsync(HttpMethod.Get, $"/auth-clients/count?where={Q(where)}", bearer: admin);
            Assert.True(count.StatusCode == HttpStatusCode.BadRequest, $"{Q(where)[..Math.Min(80, Q(where).Length)]}: {count.StatusCode}");
            Assert.Equal("application/json; charset=utf-8", count.Content.Headers.ContentType?.ToString());
            var list = await _arc.SendAsync(HttpMethod.Get, $"/auth-clients?filter={Q(new { where })}", bearer: admin);
            Assert.Equal(HttpStatusCode.BadRequest, list.StatusCode);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await _arc.SendAsync(HttpMethod.Get, "/auth-clients?filter=%7Bnot-json", bearer: admin)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _arc.SendAsync(HttpMethod.Get, $"/auth-clients?filter={Q(new { order = "clientSecret; DROP" })}", bearer: admin)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _arc.SendAsync(HttpMethod.Patch, $"/auth-clients?where={Q(new { secret = "x" })}", new { authCodeExpiration = 5 }, admin)).StatusCode);
        // The table is still there.
        Assert.Equal(HttpStatusCode.OK, (await _arc.SendAsync(HttpMethod.Get, "/auth-clients/count", bearer: admin)).StatusCode);
    }

    [Fact]
    public async Task A_trusted_service_caches_otps_with_its_client_credentials_and_other_clients_may_not()
    {
        using var configured = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:arc:OtpClients"] = "otp-service" });
        var arc = new ArcApi(configured);
        var service = await arc.CreateClientAsync(id: "otp-service");
        var app = await arc.CreateClientAsync();
        var email = await arc.UserOnClientAsync(app);

        async Task<HttpResponseMessage> CacheAs(string id, string secret)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/otp-caches") { Content = JsonContent.Create(new { otp = "246810", username = email }) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(id + ":" + secret)));
            return await arc.Http.SendAsync(request);
        }

        await ArcApi.AssertErrorAsync(await CacheAs(app.ClientId, app.Secret), HttpStatusCode.Forbidden, "NotAllowedAccess");
        await ArcApi.AssertErrorAsync(await CacheAs(service.ClientId, "wrong secret"), HttpStatusCode.Unauthorized, "Client Invalid");
        Assert.Equal(HttpStatusCode.OK, (await CacheAs(service.ClientId, service.Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await arc.LoginRawAsync(app, email, "246810")).StatusCode);
    }

    [Fact]
    public async Task Of_concurrent_sign_ins_with_one_cached_otp_exactly_one_succeeds()
    {
        var admin = await _arc.AdminTokenAsync();
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await _arc.PostAsync("/otp-caches", new { otp = "135790", username = email }, admin)).StatusCode);
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _arc.LoginRawAsync(client, email, "135790")));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
    }

    [Fact]
    public async Task A_cached_otp_signs_the_user_in_once_in_place_of_the_password_within_15_minutes()
    {
        var admin = await _arc.AdminTokenAsync();
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var other = await _arc.UserOnClientAsync(client);

        var cached = await _arc.PostAsync("/otp-caches", new { otp = "424242", username = email }, admin);
        var body = await cached.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Golden.AssertMatches("arc/otp.json", body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        // The same OTP for another user is another entry: hashed over user and OTP.
        Assert.Equal(HttpStatusCode.OK, (await _arc.PostAsync("/otp-caches", new { otp = "424242", username = other }, admin)).StatusCode);

        var read = await (await _arc.SendAsync(HttpMethod.Get, $"/otp-caches/{id}", bearer: admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(email, read.GetProperty("username").GetString());
        Assert.NotEqual("424242", read.GetProperty("otp").GetString());

        Assert.Equal(HttpStatusCode.OK, (await _arc.LoginRawAsync(client, email, "424242")).StatusCode);
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, email, "424242"), HttpStatusCode.Unauthorized, "Invalid Credentials");
        await _arc.LoginTokenAsync(client, other, "424242");

        Assert.Equal(HttpStatusCode.OK, (await _arc.PostAsync("/otp-caches", new { otp = "777777", username = email }, admin)).StatusCode);
        factory.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, email, "777777"), HttpStatusCode.Unauthorized, "Invalid Credentials");

        admin = await _arc.AdminTokenAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _arc.SendAsync(HttpMethod.Delete, $"/otp-caches/{id}", bearer: admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _arc.SendAsync(HttpMethod.Get, $"/otp-caches/{id}", bearer: admin)).StatusCode);
        // The password still works.
        Assert.Equal(HttpStatusCode.OK, (await _arc.LoginRawAsync(client, email)).StatusCode);
    }
}

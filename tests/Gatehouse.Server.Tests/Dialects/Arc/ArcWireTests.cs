using System.Net;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects.Arc;

/// <summary>Dialect "arc": LoopBack's body validation and error bodies (CONTRACTS.md 001).</summary>
public sealed class ArcWireTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly ArcApi _arc = new(factory);

    [Fact]
    public async Task A_missing_property_gives_LoopBacks_422_with_details()
    {
        var response = await _arc.PostAsync("/auth/login", new { client_secret = "s", username = "u", password = "p" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Golden.AssertMatches("arc/validation-failed.json", body);
    }

    [Fact]
    public async Task Extra_properties_and_wrong_types_are_each_reported()
    {
        var response = await _arc.PostAsync("/auth/token", new { code = 5, clientId = "c", extra = true });
        var error = await ArcApi.AssertErrorAsync(response, HttpStatusCode.UnprocessableEntity, "The request body is invalid. See error object `details` property for more info.");
        Assert.Equal("VALIDATION_FAILED", error.GetProperty("code").GetString());
        var details = error.GetProperty("details").EnumerateArray().ToList();
        Assert.Contains(details, d => d.GetProperty("code").GetString() == "additionalProperties"
            && d.GetProperty("message").GetString() == "must NOT have additional properties"
            && d.GetProperty("info").GetProperty("additionalProperty").GetString() == "extra");
        Assert.Contains(details, d => d.GetProperty("code").GetString() == "type"
            && d.GetProperty("path").GetString() == "/code"
            && d.GetProperty("message").GetString() == "must be string"
            && d.GetProperty("info").GetProperty("type").GetString() == "string");
    }

    [Fact]
    public async Task Malformed_json_is_a_400_SyntaxError()
    {
        var response = await _arc.PostAsync("/auth/login", "{\"client_id\": ");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("SyntaxError", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("name").GetString());
        Golden.AssertMatches("arc/syntax-error.json", body);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_API_not_found_and_native_paths_stay_native()
    {
        var response = await _arc.SendAsync(HttpMethod.Get, "/no/such/route");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Golden.AssertMatches("arc/not-found.json", body);

        var native = await _arc.SendAsync(HttpMethod.Get, "/api/v1/no-such-route");
        Assert.Equal("application/problem+json", native.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_wrong_content_type_and_an_oversized_body_get_LoopBack_errors()
    {
        using var form = new StringContent("a=b", Encoding.UTF8, "application/x-www-form-urlencoded");
        var wrongType = await _arc.Http.PostAsync("/auth/login", form);
        await ArcApi.AssertErrorAsync(wrongType, HttpStatusCode.UnsupportedMediaType, "Content-type is not supported.");

        var huge = "{\"client_id\":\"" + new string('x', 70_000) + "\"}";
        var tooBig = await _arc.PostAsync("/auth/login", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal("application/json; charset=utf-8", tooBig.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task A_wrong_method_on_a_known_route_gets_a_LoopBack_body()
    {
        var response = await _arc.SendAsync(HttpMethod.Get, "/auth/login");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("MethodNotAllowedError", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_server_error_says_nothing_but_Internal_Server_Error()
    {
        // No arc route fails on purpose, so the dialect's framework error writer is called as the
        // exception handler calls it (DialectHosting.HandleExceptionAsync).
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        context.Response.StatusCode = 500;
        await new Gatehouse.Server.Dialects.Arc.ArcDialect(Microsoft.Extensions.Options.Options.Create(new Gatehouse.Server.Dialects.Arc.ArcOptions())).WriteErrorAsync(context, 500);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Golden.AssertMatches("arc/internal-error.json", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    [Fact]
    public async Task A_missing_query_parameter_is_a_400_MISSING_REQUIRED_PARAMETER()
    {
        var response = await _arc.SendAsync(HttpMethod.Get, "/auth/verify-reset-password-link");
        var error = await ArcApi.AssertErrorAsync(response, HttpStatusCode.BadRequest, "Required parameter token is missing!");
        Assert.Equal("MISSING_REQUIRED_PARAMETER", error.GetProperty("code").GetString());
    }
}

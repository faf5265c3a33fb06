using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Dialects;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests;

public sealed class OpenApiDocumentTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    [Fact]
    public async Task Every_route_of_every_dialect_is_in_the_openapi_document_with_a_summary_and_a_response_schema()
    {
        var doc = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<MountedDialect>() is not null && e.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m.ToLowerInvariant(), Path: "/" + e.RoutePattern.RawText!.TrimStart('/'), Dialect: e.Metadata.GetMetadata<MountedDialect>()!.Dialect.Name)))
            .ToList();
        Assert.Contains(routes, r => r.Dialect == "arc");
        Assert.Contains(routes, r => r.Dialect == "keymetrics");
        Assert.Contains(routes, r => r.Dialect == "ccx");
        Assert.Contains(routes, r => r.Dialect == "fittrackee");

        var problems = new List<string>();
        foreach (var (method, path, dialect) in routes)
        {
            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method, out var operation))
            {
                problems.Add($"{dialect}: {method} {path} is not in the document");
                continue;
            }
            if (!operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            {
                problems.Add($"{dialect}: {method} {path} has no summary");
            }
            var schemas = operation.TryGetProperty("responses", out var responses)
                ? responses.EnumerateObject().Count(r => r.Value.TryGetProperty("content", out var content) && content.EnumerateObject().Any(c => c.Value.TryGetProperty("schema", out _)))
                : 0;
            if (schemas == 0)
            {
                problems.Add($"{dialect}: {method} {path} describes no response body");
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}

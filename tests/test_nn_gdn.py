"""GDN / IGDN against their defining formulas, and the non-negativity of their parameters."""

import torch

from semcom.nn import GDN, IGDN, NonNegativeParameter


def reference(x, beta, gamma, inverse):
    norm = beta[None, :, None, None] + torch.einsum("ij,bjhw->bihw", gamma, x * x)
    return x * norm.sqrt() if inverse else x / norm.sqrt()


def test_gdn_matches_formula_and_igdn_inverts_it_approximately():
    g = torch.Generator().manual_seed(0)
    layer = GDN(6)
    with torch.no_grad():
        layer.gamma.raw.add_(0.05 * torch.rand(6, 6, generator=g))
        layer.beta.raw.add_(0.1 * torch.rand(6, generator=g))
    x = torch.randn(2, 6, 5, 7, generator=g)
    out = layer(x)
    assert torch.allclose(out, reference(x, layer.beta(), layer.gamma(), False), atol=1e-5)
    inverse = IGDN(6)
    inverse.load_state_dict(layer.state_dict())
    assert torch.allclose(inverse(x), reference(x, layer.beta(), layer.gamma(), True), atol=1e-5)
    # with the default initialization beta = 1, gamma = 0.1 I, small inputs pass almost unchanged
    assert torch.allclose(GDN(6)(0.01 * x), 0.01 * x, rtol=1e-3)


def test_parameters_stay_non_negative_under_gradient_descent():
    param = NonNegativeParameter(torch.full((4,), 0.5), floor=1e-3)
    opt = torch.optim.SGD(param.parameters(), lr=1.0)
    for _ in range(50):
        opt.zero_grad()
        param().sum().backward()  # pushes every value down
        opt.step()
    assert torch.all(param() >= 1e-3 - 1e-9)
    opt.zero_grad()
    (-param().sum()).backward()  # pushing up must still move the stuck values
    assert torch.all(param.raw.grad < 0)

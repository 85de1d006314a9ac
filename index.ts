/**
 * eks-netpol: constructs (aws-cdk-lib and cdk8s) and the engine they are built on.
 * `eks-netpol/lib` gives the engine alone; `eks-netpol/testing` the jest matchers.
 */
export * from './lib';
export * from './constructs';

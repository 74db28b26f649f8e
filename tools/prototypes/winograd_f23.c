// Winograd F(2×2, 3×3) convolution prototype (session 8): a measurement, not part of the build. Plain C with
// scalar transforms and 16 OpenBLAS GEMMs (one per transformed tap), checked against the direct sum in double.
// Build and run (2 threads, batch 16, 256 channels, 16×16):
//   gcc -O2 -march=native -fopenmp -o /tmp/wino tools/prototypes/winograd_f23.c -lopenblas -lm && OMP_NUM_THREADS=2 /tmp/wino 16 256 16
// Session 8 on the AMD EPYC (stderr: the phases of the best run): 16 px c256 27.9 ms (input transform 9.6, GEMMs
// 14.1, output transform 4.2) against the direct kernel's 31 ms; 32 px c128 37.5 ms (17.9 / 15.1 / 4.6) against 31 ms.
// The GEMMs alone beat the direct kernel by 2×; vectorised transforms (8 tiles per vector, contiguous stores) are
// what it takes to win.
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>
#include <cblas.h>
#include <omp.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int B=16,C=256,O=256,H=16,W=16;
int main(int argc,char**argv){ if(argc>1){B=atoi(argv[1]);C=atoi(argv[2]);O=C;H=W=atoi(argv[3]);}
 openblas_set_num_threads(1);
 float *x=malloc(4L*B*C*H*W),*w=malloc(4L*O*C*9),*y=malloc(4L*B*O*H*W),*yr=malloc(4L*B*O*H*W);
 for(long i=0;i<(long)B*C*H*W;i++)x[i]=sinf(i*0.37f); for(long i=0;i<(long)O*C*9;i++)w[i]=cosf(i*0.11f)*0.05f;
 int th=H/2,tw=W/2,T=B*th*tw; // tiles
 float *U=malloc(4L*16*O*C),*V=malloc(4L*16*C*T),*M=malloc(4L*16*O*T);
 // weight transform G g G^T, G = [[1,0,0],[.5,.5,.5],[.5,-.5,.5],[0,0,1]]
 for(int o=0;o<O;o++)for(int c=0;c<C;c++){ const float*g=w+((long)o*C+c)*9; float t[4][3];
  for(int j=0;j<3;j++){t[0][j]=g[j];t[1][j]=.5f*(g[j]+g[3+j]+g[6+j]);t[2][j]=.5f*(g[j]-g[3+j]+g[6+j]);t[3][j]=g[6+j];}
  for(int i=0;i<4;i++){float u[4]={t[i][0],.5f*(t[i][0]+t[i][1]+t[i][2]),.5f*(t[i][0]-t[i][1]+t[i][2]),t[i][2]}; for(int j=0;j<4;j++)U[((long)(i*4+j)*O+o)*C+c]=u[j];}}
 double best=1e9;
 for(int rep=0;rep<5;rep++){ double t0=now();
 // input transform B^T d B, B^T=[[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]
 #pragma omp parallel for collapse(2)
 for(int b=0;b<B;b++)for(int c=0;c<C;c++){ const float*xc=x+((long)b*C+c)*H*W;
  for(int ty=0;ty<th;ty++)for(int tx=0;tx<tw;tx++){ float d[4][4];
   for(int i=0;i<4;i++)for(int j=0;j<4;j++){int yy=2*ty-1+i,xx=2*tx-1+j; d[i][j]=(yy>=0&&yy<H&&xx>=0&&xx<W)?xc[yy*W+xx]:0;}
   float t[4][4]; for(int j=0;j<4;j++){t[0][j]=d[0][j]-d[2][j];t[1][j]=d[1][j]+d[2][j];t[2][j]=d[2][j]-d[1][j];t[3][j]=d[1][j]-d[3][j];}
   long tile=((long)b*th+ty)*tw+tx;
   for(int i=0;i<4;i++){float v[4]={t[i][0]-t[i][2],t[i][1]+t[i][2],t[i][2]-t[i][1],t[i][1]-t[i][3]}; for(int j=0;j<4;j++)V[((long)(i*4+j)*C+c)*T+tile]=v[j];}}}
 double t1=now();
 // 16 GEMMs M_k = U_k (O x C) * V_k (C x T)
 #pragma omp parallel for
 for(int k=0;k<16;k++) cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,O,T,C,1,U+(long)k*O*C,C,V+(long)k*C*T,T,0,M+(long)k*O*T,T);
 double t2=now();
 // output transform A^T m A, A^T=[[1,1,1,0],[0,1,-1,-1]]
 #pragma omp parallel for collapse(2)
 for(int b=0;b<B;b++)for(int o=0;o<O;o++){ float*yo=y+((long)b*O+o)*H*W;
  for(int ty=0;ty<th;ty++)for(int tx=0;tx<tw;tx++){ long tile=((long)b*th+ty)*tw+tx; float m[4][4];
   for(int i=0;i<4;i++)for(int j=0;j<4;j++)m[i][j]=M[((long)(i*4+j)*O+o)*T+tile];
   float t[2][4]; for(int j=0;j<4;j++){t[0][j]=m[0][j]+m[1][j]+m[2][j];t[1][j]=m[1][j]-m[2][j]-m[3][j];}
   for(int i=0;i<2;i++){yo[(2*ty+i)*W+2*tx]=t[i][0]+t[i][1]+t[i][2]; yo[(2*ty+i)*W+2*tx+1]=t[i][1]-t[i][2]-t[i][3];}}}
 double t=now()-t0; if(t<best){best=t; fprintf(stderr,"in %.2f gemm %.2f out %.2f ms\n",(t1-t0)*1e3,(t2-t1)*1e3,(now()-t2)*1e3);}}
 // reference for a few outputs
 double maxe=0,maxr=0; for(int s=0;s<2000;s++){ int b=rand()%B,o=rand()%O,yy=rand()%H,xx=rand()%W; double acc=0;
  for(int c=0;c<C;c++)for(int i=0;i<3;i++)for(int j=0;j<3;j++){int a=yy-1+i,bb=xx-1+j; if(a>=0&&a<H&&bb>=0&&bb<W) acc+=(double)w[((long)o*C+c)*9+i*3+j]*x[((long)b*C+c)*H*W+a*W+bb];}
  double e=fabs(acc-y[((long)b*O+o)*H*W+yy*W+xx]); if(e>maxe)maxe=e; if(fabs(acc)>maxr)maxr=fabs(acc);}
 double fl=2.0*B*O*C*9*H*W; printf("B%d C%d %dpx: winograd %.2f ms = %.1f effective GFLOP/s (%d threads); max err %.2e of %.2e\n",B,C,H,best*1e3,fl/best*1e-9,omp_get_max_threads(),maxe,maxr);
}
